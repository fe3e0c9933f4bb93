/** WhatsApp's frame layer: every frame is a 3-byte big-endian length and a payload; one WebSocket message may
 * carry several frames or part of one, and the client's very first message starts with an intro header. */

export const MAX_FRAME_BYTES = 0xffffff

/** Handshake messages are a few hundred bytes; a client announcing more before the handshake is done is refused. */
export const MAX_HANDSHAKE_FRAME_BYTES = 64 * 1024

export class FrameReader {
  private buffered: Buffer = Buffer.alloc(0)
  private introPending = true
  /** frames announced larger than this are refused at once rather than waited for */
  maxFrameBytes = MAX_FRAME_BYTES

  /** Appends received bytes and returns every complete frame payload. Throws on a malformed intro or an oversized frame. */
  push(data: Buffer): Buffer[] {
    this.buffered = this.buffered.length ? Buffer.concat([this.buffered, data]) : data
    if (this.introPending) {
      const introLength = introHeaderLength(this.buffered)
      if (introLength === undefined) return []
      this.buffered = this.buffered.subarray(introLength)
      this.introPending = false
    }
    const frames: Buffer[] = []
    while (this.buffered.length >= 3) {
      const size = (this.buffered[0] << 16) | (this.buffered[1] << 8) | this.buffered[2]
      if (size > this.maxFrameBytes) throw new Error(`frame of ${size} bytes exceeds ${this.maxFrameBytes}`)
      if (this.buffered.length < size + 3) break
      frames.push(this.buffered.subarray(3, size + 3))
      this.buffered = this.buffered.subarray(size + 3)
    }
    return frames
  }
}

/** `WA 06 03`, optionally preceded by `ED 00 01 <len:3> <routing info>`. Undefined while incomplete. */
function introHeaderLength(buf: Buffer): number | undefined {
  if (buf.length < 4) return undefined
  if (buf[0] === 0x57 && buf[1] === 0x41) return 4
  if (buf[0] === 0x45 && buf[1] === 0x44) {
    if (buf.length < 7) return undefined
    const routingLength = (buf[4] << 16) | (buf[5] << 8) | buf[6]
    const total = 7 + routingLength + 4
    if (buf.length < total) return undefined
    if (buf[7 + routingLength] !== 0x57 || buf[8 + routingLength] !== 0x41) throw new Error('bad intro header')
    return total
  }
  throw new Error('bad intro header')
}

export function encodeFrame(payload: Uint8Array): Buffer {
  if (payload.length > MAX_FRAME_BYTES) throw new Error('frame too large')
  const frame = Buffer.allocUnsafe(payload.length + 3)
  frame[0] = (payload.length >>> 16) & 0xff
  frame[1] = (payload.length >>> 8) & 0xff
  frame[2] = payload.length & 0xff
  frame.set(payload, 3)
  return frame
}
