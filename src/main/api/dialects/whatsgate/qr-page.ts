/**
 * WhatsGate's QR authorization window, `/qr/<unique_id>`: a self-contained page (no CDN, no token) that shows the
 * session's live QR code, follows its rotation through a server-sent event stream of its own (`…/events`), switches
 * to a success or error image when linking ends, and then posts `{module: "qr", message}` to its parent window.
 *
 * Framing: any page on a loopback origin may embed it (CSP frame-ancestors); nothing else is opened up: no CORS,
 * scripts only by nonce, connections only to this origin. The unique id in the address is the only credential.
 */
import { randomBytes } from 'node:crypto'
import { Router } from 'express'
import QRCode from 'qrcode'
import type { Host } from '../../../host.js'
import { sessionIdByUniqueId } from './view.js'

export type QrPageState =
  | { state: 'pending' }
  | { state: 'qr'; image: string; ttl: number }
  | { state: 'code' }
  | { state: 'success' }
  | { state: 'error'; reason: string }

/** What the posted message says when linking ends. */
export const QR_PAGE_MESSAGES = { success: 'success', error: 'error' } as const

const FAILED_REASONS = new Set(['qr_timeout', 'logged_out', 'replaced'])

const svgDataUrl = (svg: string) => `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`

/** A QR string as the page shows it: an SVG rendered here, as a data URL. */
export async function qrImage(qr: string): Promise<string> {
  return svgDataUrl(await QRCode.toString(qr, { type: 'svg', margin: 2, errorCorrectionLevel: 'L' }))
}

/** The page's state for a session (undefined: no such session). */
export async function qrPageState(host: Host, sessionId: string | undefined): Promise<QrPageState> {
  let session
  try {
    session = sessionId === undefined ? undefined : host.sessions.get(sessionId)
  } catch {
    session = undefined
  }
  if (!session) return { state: 'error', reason: 'session not found' }
  switch (session.status) {
    case 'logged_in':
      return { state: 'success' }
    case 'waiting_for_qr': {
      const qr = session.qrCodes.at(-1)
      if (!qr) return { state: 'pending' }
      const ttl = session.qrExpiresAt === null ? 0 : Math.max(0, Math.ceil((session.qrExpiresAt - Date.now()) / 1000))
      return { state: 'qr', image: await qrImage(qr), ttl }
    }
    case 'waiting_for_pair_code':
      return { state: 'code' }
    case 'disconnected':
      if (session.reason && (FAILED_REASONS.has(session.reason) || session.reason.startsWith('error'))) return { state: 'error', reason: session.reason }
      return { state: 'pending' }
    default:
      return { state: 'pending' }
  }
}

const isFinal = (s: QrPageState) => s.state === 'success' || s.state === 'error'

const ICON = {
  success: svgDataUrl('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 100"><circle cx="50" cy="50" r="46" fill="#25d366"/>'
    + '<path d="M28 52l15 15 30-32" fill="none" stroke="#fff" stroke-width="9" stroke-linecap="round" stroke-linejoin="round"/></svg>'),
  error: svgDataUrl('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 100"><circle cx="50" cy="50" r="46" fill="#e5484d"/>'
    + '<path d="M33 33l34 34M67 33L33 67" stroke="#fff" stroke-width="9" stroke-linecap="round"/></svg>'),
  pending: svgDataUrl('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 100"><circle cx="50" cy="50" r="40" fill="none" '
    + 'stroke="#c8c8c8" stroke-width="8" stroke-dasharray="60 200"/></svg>')
}

function page(nonce: string): string {
  const script = `(() => {
  const img = document.getElementById('img')
  const text = document.getElementById('text')
  const icons = ${JSON.stringify(ICON)}
  const messages = ${JSON.stringify(QR_PAGE_MESSAGES)}
  let done = false
  const source = new EventSource(location.pathname.replace(/\\/+$/, '') + '/events')
  const finish = (outcome) => {
    if (done) return
    done = true
    source.close()
    window.parent.postMessage({ module: 'qr', message: messages[outcome] }, '*')
  }
  const show = (src, caption, state) => {
    img.src = src
    text.textContent = caption
    document.body.dataset.state = state
  }
  source.onmessage = (event) => {
    const s = JSON.parse(event.data)
    if (s.state === 'qr') show(s.image, 'Scan this code with WhatsApp on your phone', 'qr')
    else if (s.state === 'code') show(icons.pending, 'Enter the pairing code on your phone', 'code')
    else if (s.state === 'pending') show(icons.pending, 'Waiting for WhatsApp…', 'pending')
    else if (s.state === 'success') { show(icons.success, 'Authorized', 'success'); finish('success') }
    else if (s.state === 'error') { show(icons.error, 'Authorization failed', 'error'); finish('error') }
  }
})()`
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>WhatsApp authorization</title>
<style nonce="${nonce}">
html, body { margin: 0; height: 100%; font: 14px system-ui, sans-serif; color: #333; background: #fff; }
body { display: flex; flex-direction: column; align-items: center; justify-content: center; gap: 8px; }
#img { width: 260px; height: 260px; max-width: 90vw; max-height: 80vh; image-rendering: pixelated; }
#text { margin: 0; text-align: center; }
</style></head>
<body data-state="pending"><img id="img" alt="QR code" src="${ICON.pending}"><p id="text">Waiting for WhatsApp…</p>
<script nonce="${nonce}">${script}</script></body></html>`
}

const FRAME_ANCESTORS = "'self' http://localhost:* http://127.0.0.1:* https://localhost:* https://127.0.0.1:*"

export function qrPageRouter(host: Host): Router {
  const router = Router()

  router.get('/:uniqueId', (req, res) => {
    const nonce = randomBytes(16).toString('base64')
    res.setHeader('Content-Security-Policy', [
      "default-src 'none'", `script-src 'nonce-${nonce}'`, `style-src 'nonce-${nonce}'`, 'img-src data:', "connect-src 'self'",
      "base-uri 'none'", "form-action 'none'", `frame-ancestors ${FRAME_ANCESTORS}`
    ].join('; '))
    const known = sessionIdByUniqueId(host, req.params.uniqueId) !== undefined
    res.status(known ? 200 : 404).type('html').send(page(nonce))
  })

  router.get('/:uniqueId/events', (req, res) => {
    const sessionId = sessionIdByUniqueId(host, req.params.uniqueId)
    res.status(200).set({ 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-store' })
    res.flushHeaders()
    let closed = false
    let last = ''
    let queue = Promise.resolve()
    const end = () => {
      if (closed) return
      closed = true
      unsubscribe()
      res.end()
    }
    // states are computed one after another, so they reach the page in the order the events happened
    const push = () => {
      queue = queue.then(async () => {
        if (closed) return
        const state = await qrPageState(host, sessionId)
        const json = JSON.stringify(state)
        if (json !== last) {
          last = json
          res.write(`data: ${json}\n\n`)
        }
        if (isFinal(state)) end()
      }).catch(err => {
        host.logger.warn({ err: String(err) }, 'QR page state failed')
        end()
      })
    }
    const unsubscribe = sessionId === undefined ? () => {} : host.events.subscribe(event => {
      if (event.sessionId === sessionId && (event.type === 'qr' || event.type === 'status' || event.type === 'session_removed')) push()
    })
    res.on('close', end)
    push()
  })

  return router
}
