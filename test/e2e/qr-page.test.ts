/**
 * WhatsGate's QR page in a real browser (Debian's Chromium): embedded in an iframe on a local page served from
 * another port, as seed 000's embedding example does it, it shows the session's live QR, follows its rotation, and
 * tells the parent page when a virtual phone has scanned it (or when the QR expired).
 */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Browser, Frame, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApiApp } from '../../src/main/api/app.js'
import { qrImage } from '../../src/main/api/dialects/whatsgate/qr-page.js'
import { type ApiServer, startApiServer } from '../../src/main/api/server.js'
import { startSimulator, type Simulator } from '../../src/sim/index.js'
import { ADMIN_TOKEN, call } from '../main/api/api-fixture.js'
import { hasChromium, launchChromium } from '../support/browser.js'
import { HostHarness, tempDir } from '../support/host-harness.js'

/** Seed 000's embedding example, with the iframe's address given in the query and the messages kept for the test. */
function embeddingPage(apiOrigin: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>embedding</title></head><body>
<h1>QR test code</h1>
<iframe id="qr" width="310" height="310" style="border: none;"></iframe>
<div class="log" id="log"></div>
<script>
window.received = []
document.getElementById('qr').src = new URLSearchParams(location.search).get('src')
window.addEventListener("message", function(event) {
  if (event.origin !== ${JSON.stringify(apiOrigin)}) return;
  if (typeof event.data !== 'object') return;
  if (!('module' in event.data) && event.data.module !== 'qr') return;
  window.received.push(event.data)
  document.getElementById('log').append("received: " + event.data.message, document.createElement("br"));
});
</script></body></html>`
}

describe.skipIf(!hasChromium)('the WhatsGate QR page in Chromium', () => {
  let sim: Simulator
  let harness: HostHarness
  let dir: { path: string; remove(): Promise<void> }
  let api: ApiServer
  let site: Server
  let siteUrl: string
  let browser: Browser

  beforeAll(async () => {
    sim = await startSimulator()
    dir = await tempDir('wadock-qr-page-')
    // QR codes rotate every 1.5 s, so the page has to follow a rotation within the test
    harness = await HostHarness.start(sim, dir.path, { socketOverrides: { qrTimeout: 1500 } })
    api = await startApiServer(createApiApp({ host: harness.host, adminToken: () => ADMIN_TOKEN }), { host: '127.0.0.1', port: 0 })
    const html = embeddingPage(`http://127.0.0.1:${api.port}`)
    site = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(html))
    await new Promise<void>(resolve => site.listen(0, '127.0.0.1', resolve))
    siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}/`
    browser = await launchChromium()
  })
  afterAll(async () => {
    await browser?.close()
    await new Promise(resolve => site?.close(resolve))
    await api?.close()
    await harness?.stop()
    await sim?.stop()
    await dir?.remove()
  })

  async function createSession(name: string) {
    const created = await call(api.port, 'POST', '/whatsgate/api/v1/session-create', { body: { name }, headers: { 'x-api-key': ADMIN_TOKEN } })
    expect(created.body.result).toBe('OK')
    const { id, qr_link: qrLink } = created.body.data
    const sessionId = harness.host.store.sessions.list().find(r => harness.host.store.sessions.numberOf(r.id) === id)!.id
    return { sessionId, qrLink: qrLink as string }
  }

  async function openEmbedded(qrLink: string): Promise<{ page: Page; frame: Frame }> {
    const page = await browser.newPage()
    const errors: string[] = []
    page.on('console', m => { if (m.type() === 'error') errors.push(m.text()) })
    await page.goto(`${siteUrl}?src=${encodeURIComponent(qrLink)}`)
    const handle = await page.waitForSelector('iframe#qr')
    const frame = (await handle.contentFrame())!
    await frame.waitForSelector('body[data-state]')
    // nothing the page needs is refused by its own Content-Security-Policy
    expect(errors.filter(e => /Content Security Policy|Refused to/i.test(e))).toEqual([])
    return { page, frame }
  }

  const imageOf = (frame: Frame) => frame.$eval('#img', img => (img as HTMLImageElement).src)
  const received = (page: Page) => page.evaluate(() => (window as unknown as { received: unknown[] }).received)

  it('shows the live QR, follows its rotation, and posts success to the parent once a phone scanned it', async () => {
    const { sessionId, qrLink } = await createSession('embedded')
    const { page, frame } = await openEmbedded(qrLink)
    await frame.waitForSelector('body[data-state="qr"]')
    const first = await imageOf(frame)
    expect(first).toMatch(/^data:image\/svg\+xml;base64,/)

    // a rotation: the page shows the host's new QR
    await frame.waitForFunction(previous => (document.getElementById('img') as HTMLImageElement).src !== previous, first)
    const live = () => harness.host.sessions.get(sessionId).qrCodes.at(-1)!
    await frame.waitForFunction(async expected => (document.getElementById('img') as HTMLImageElement).src === expected, await qrImage(live()))
    expect(await received(page)).toEqual([])

    // the phone scans the live QR, read from the host, not from the page
    const since = harness.seen.length
    await sim.scanQr('15554440001', live(), 'Embedded')
    await harness.status(sessionId, 'logged_in', undefined, 20_000, since)
    await page.waitForFunction(() => (window as unknown as { received: unknown[] }).received.length > 0)
    expect(await received(page)).toEqual([{ module: 'qr', message: 'success' }])
    await frame.waitForSelector('body[data-state="success"]')
    expect(await page.textContent('#log')).toBe('received: success')
    await page.close()
  })

  it('switches to the error image and posts error when the QR expires unscanned', async () => {
    const { sessionId, qrLink } = await createSession('expiring')
    const { page, frame } = await openEmbedded(qrLink)
    await frame.waitForSelector('body[data-state="qr"]')
    await harness.status(sessionId, 'disconnected', 'qr_timeout', 30_000)
    await page.waitForFunction(() => (window as unknown as { received: unknown[] }).received.length > 0)
    expect(await received(page)).toEqual([{ module: 'qr', message: 'error' }])
    await frame.waitForSelector('body[data-state="error"]')
    await page.close()
  })

  it('local pages may frame it; it carries no token and opens nothing cross-origin; an unknown id gets the error page', async () => {
    const { sessionId, qrLink } = await createSession('headers')
    const answer = await call(api.port, 'GET', new URL(qrLink).pathname)
    expect(answer.status).toBe(200)
    expect(answer.headers['content-type']).toMatch(/^text\/html/)
    expect(answer.text).not.toContain(harness.host.store.sessions.get(sessionId)!.token)
    // self-contained: no script, style or image from anywhere else
    expect(answer.text).not.toMatch(/(src|href)="https?:/)
    expect(answer.headers['access-control-allow-origin']).toBeUndefined()
    expect(answer.headers['x-frame-options']).toBeUndefined()
    const csp = String(answer.headers['content-security-policy'])
    expect(csp).toContain("frame-ancestors 'self' http://localhost:* http://127.0.0.1:*")
    expect(csp).toContain("default-src 'none'")
    expect(csp).toContain("connect-src 'self'")

    const unknown = await call(api.port, 'GET', '/whatsgate/qr/00000000000000000000')
    expect(unknown.status).toBe(404)
    const { page, frame } = await openEmbedded(`http://127.0.0.1:${api.port}/whatsgate/qr/00000000000000000000`)
    await frame.waitForSelector('body[data-state="error"]')
    await page.waitForFunction(() => (window as unknown as { received: unknown[] }).received.length > 0)
    expect(await received(page)).toEqual([{ module: 'qr', message: 'error' }])
    await page.close()
  })
})
