#!/usr/bin/env node
/**
 * Draws WaDock's icons into resources/: the app icon (icon.png, 1024 px; electron-builder derives .icns and .ico from
 * it) and one tray icon per aggregate state at 16 and 32 px (`tray-<state>.png`, `tray-<state>@2x.png`). Shapes
 * differ as well as colours, so the states read without colour vision: linked a full disc, waiting a ring, failing
 * a disc with a bar, none a thin grey ring. Run `node scripts/make-icons.mjs` after changing it; the PNGs are committed.
 */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { deflateSync } from 'node:zlib'

const OUT = join(import.meta.dirname, '..', 'resources')

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
  return c >>> 0
})
function crc32(bytes) {
  let c = 0xffffffff
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8)
  return (c ^ 0xffffffff) >>> 0
}
function chunk(type, data) {
  const head = Buffer.alloc(8)
  head.writeUInt32BE(data.length, 0)
  head.write(type, 4, 'ascii')
  const crc = Buffer.alloc(4)
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0)
  return Buffer.concat([head, data, crc])
}
/** A minimal PNG: 8-bit RGBA, no interlace, filter 0 on every row. */
function encodePng(size, rgba) {
  const ihdr = Buffer.alloc(13)
  ihdr.writeUInt32BE(size, 0)
  ihdr.writeUInt32BE(size, 4)
  ihdr[8] = 8
  ihdr[9] = 6
  const raw = Buffer.alloc(size * (size * 4 + 1))
  for (let y = 0; y < size; y++) rgba.copy(raw, y * (size * 4 + 1) + 1, y * size * 4, (y + 1) * size * 4)
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw, { level: 9 })), chunk('IEND', Buffer.alloc(0))
  ])
}

/**
 * Renders `paint(x, y)` (coordinates in 0..1, returning [r, g, b, a] or null) with 4×4 supersampling, so edges
 * are smooth at tray sizes.
 */
function render(size, paint) {
  const out = Buffer.alloc(size * size * 4)
  const n = 4
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let r = 0, g = 0, b = 0, a = 0
      for (let sy = 0; sy < n; sy++) {
        for (let sx = 0; sx < n; sx++) {
          const c = paint((px + (sx + 0.5) / n) / size, (py + (sy + 0.5) / n) / size)
          if (!c) continue
          r += c[0] * c[3]; g += c[1] * c[3]; b += c[2] * c[3]; a += c[3]
        }
      }
      const i = (py * size + px) * 4
      if (a > 0) {
        out[i] = Math.round(r / a); out[i + 1] = Math.round(g / a); out[i + 2] = Math.round(b / a)
        out[i + 3] = Math.round((a / (n * n)) * 255)
      }
    }
  }
  return encodePng(size, out)
}

const hex = (h, alpha = 1) => [parseInt(h.slice(1, 3), 16), parseInt(h.slice(3, 5), 16), parseInt(h.slice(5, 7), 16), alpha]
const WHITE = hex('#ffffff')
const dist = (x, y) => Math.hypot(x - 0.5, y - 0.5)

const TRAY = {
  linked: (x, y) => (dist(x, y) <= 0.44 ? hex('#1faa59') : null),
  waiting: (x, y) => { const d = dist(x, y); return d <= 0.44 && d >= 0.27 ? hex('#e69b00') : null },
  failing: (x, y) => {
    if (dist(x, y) > 0.44) return null
    return Math.abs(y - 0.5) <= 0.09 && Math.abs(x - 0.5) <= 0.26 ? WHITE : hex('#d93036')
  },
  none: (x, y) => { const d = dist(x, y); return d <= 0.42 && d >= 0.33 ? hex('#8a8f98') : null }
}

/** The app icon: a rounded teal square holding a white ring around a dot (a session, linked). */
function appIcon(x, y) {
  const m = 0.06, r = 0.2
  const cx = Math.min(Math.max(x, m + r), 1 - m - r), cy = Math.min(Math.max(y, m + r), 1 - m - r)
  if (Math.hypot(x - cx, y - cy) > r) return null
  const d = dist(x, y)
  if ((d <= 0.3 && d >= 0.22) || d <= 0.1) return WHITE
  return hex('#0f7c6e')
}

for (const [state, paint] of Object.entries(TRAY)) {
  writeFileSync(join(OUT, `tray-${state}.png`), render(16, paint))
  writeFileSync(join(OUT, `tray-${state}@2x.png`), render(32, paint))
}
writeFileSync(join(OUT, 'icon.png'), render(1024, appIcon))
console.log(`icons written to ${OUT}`)
