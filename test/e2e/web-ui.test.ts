/**
 * The web UI end to end: a real headless runner (`npm run serve:dev -- --sandbox`) serving the built renderer and the
 * bridge WebSocket, driven in Debian's Chromium. Every wait is on the UI's own markers or the host's state.
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { hasChromium, CHROMIUM_PATH, launchChromium } from '../support/browser.js'
import { type Runner, startRunner, stopRunner, testPort } from '../support/headless-runner.js'
import { installLatencyProbe, latencySamples, startRecording, summarize } from './support/latency-probe.js'
import {
  ARTIFACTS, createSessionInUi, linkWithVirtualPhone, logOutInUi, receiveFromVirtualPhone, screenshot, waitForQr,
  waitReady, waitStorageShown
} from './support/journey.js'
import { ensureRendererBuilt, ROOT } from './support/renderer-build.js'

const TOKEN = 'web-ui-test-admin-token-0123456789'
const PHONE = '15550001111'
const OTHER_PHONE = '15550002222'

let dataDir: string
let runner: Runner | undefined
let browser: Browser | undefined
let ui: string
let api: string
/** the built-in simulator's control API: the "phone" that types a pairing code */
let control: string
/** a webhook receiver: what WaDock posted to it */
let hookServer: Server | undefined
let hookUrl: string
const hookBodies: string[] = []
/** the admin token; the last test rotates it */
let token = TOKEN

async function rest<T>(method: string, path: string, body?: unknown): Promise<T> {
  const answer = await fetch(`${api}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined
  })
  const text = await answer.text()
  if (!answer.ok) throw new Error(`${method} ${path}: ${answer.status} ${text}`)
  return JSON.parse(text) as T
}

async function newPage(): Promise<Page> {
  const context = await browser!.newContext({ viewport: { width: 1440, height: 1000 }, colorScheme: 'light' })
  const page = await context.newPage()
  page.on('pageerror', err => { console.error('page error:', err.message) })
  return page
}

beforeAll(async () => {
  if (!hasChromium) throw new Error(`no Chromium at ${CHROMIUM_PATH}: install Debian's chromium package or set WADOCK_CHROMIUM`)
  const build = inject('rendererBuild') ?? await ensureRendererBuilt()
  if (!build.ok) throw new Error(`the renderer could not be built, so the web UI cannot be tested:\n${build.error}`)
  dataDir = mkdtempSync(join(tmpdir(), 'wadock-web-ui-'))
  runner = startRunner(['--sandbox', '--data', dataDir, '--port', String(testPort()), '--token', TOKEN, '--log', 'warn'])
  const line = await runner.line
  expect(line.rest.url).toBeTruthy()
  api = line.rest.url!
  const served = (line as { ui?: string | null }).ui
  expect(served, 'the runner announces where it serves the web UI').toBeTruthy()
  ui = served!
  control = line.sandbox!.controlUrl
  browser = await launchChromium()
  hookServer = createServer((req, res) => {
    let body = ''
    req.on('data', chunk => { body += chunk })
    req.on('end', () => {
      hookBodies.push(body)
      res.writeHead(200).end('ok')
    })
  })
  await new Promise<void>(resolve => hookServer!.listen(0, '127.0.0.1', resolve))
  hookUrl = `http://127.0.0.1:${(hookServer.address() as AddressInfo).port}/hook`
}, 240_000)

afterAll(async () => {
  await browser?.close()
  if (hookServer) await new Promise(resolve => hookServer!.close(resolve))
  if (runner) await stopRunner(runner)
  if (dataDir) rmSync(dataDir, { recursive: true, force: true })
})

describe('web UI', () => {
  it('a wrong admin token gets a clear error on the sign-in form, and no data', async () => {
    const page = await newPage()
    await page.goto(`${ui}#token=not-the-admin-token-000`)
    await page.getByTestId('signin-error').waitFor()
    expect(await page.getByTestId('signin-error').textContent()).toMatch(/did not accept this admin token/)
    expect(new URL(page.url()).hash).toBe('')
    await page.getByTestId('signin-token').fill(TOKEN)
    await page.getByTestId('signin-submit').click()
    await waitReady(page)
    await page.context().close()
  })

  it('the journey: create, QR, virtual phone scan, logged in, storage, an incoming message, log out', async () => {
    const page = await newPage()
    await page.goto(`${ui}#token=${TOKEN}`)
    await waitReady(page)
    // the token leaves the address bar at once
    expect(page.url()).not.toContain(TOKEN)
    await page.getByTestId('welcome').waitFor()
    await screenshot(page, 'web-01-welcome')

    const id = await createSessionInUi(page, 'Support line')
    const qr = await waitForQr(page)
    const hostQr = await rest<{ qr_codes: string[] }>('GET', `/api/v1/sessions/${id}/qr`)
    expect(hostQr.qr_codes).toContain(qr)
    await expect.poll(() => page.getByTestId(`session-row-${id}`).getAttribute('data-status')).toBe('waiting_for_qr')
    await screenshot(page, 'web-02-qr')

    await linkWithVirtualPhone(page, PHONE, 'Alice')
    expect(await page.getByTestId('session-push-name').textContent()).not.toBe('—')
    expect(await page.getByTestId('session-lid').textContent()).toMatch(/@lid$|^\d+/)
    const status = await rest<{ status: string; phone_number: string }>('GET', `/api/v1/sessions/${id}/status`)
    expect(status).toMatchObject({ status: 'logged_in', phone_number: PHONE })
    await expect.poll(() => page.getByTestId(`session-row-${id}`).getAttribute('data-status')).toBe('logged_in')

    const storage = await waitStorageShown(page)
    expect(storage.total).toBeGreaterThanOrEqual(0)
    await page.getByTestId('curl-examples').waitFor()
    expect(await page.getByTestId('curl-examples').textContent()).toContain(`${api}/api/v1/sessions/${id}/status`)

    // a webhook set on the page receives the message, and the delivery log shows it
    const webhook = page.getByTestId('webhook-panel')
    await webhook.getByTestId('webhook-url').fill(hookUrl)
    await webhook.getByTestId('webhook-secret').fill('journey-secret')
    await webhook.getByTestId('webhook-save').click()
    await webhook.getByRole('status').filter({ hasText: 'Saved' }).waitFor()
    expect((await rest<{ webhook: { url: string } | null }>('GET', `/api/v1/sessions/${id}/webhook`)).webhook?.url).toBe(hookUrl)

    await receiveFromVirtualPhone(page, OTHER_PHONE, 'Hello from a virtual phone')
    const delivered = webhook.getByTestId('webhook-deliveries').locator('tr', { hasText: 'message' }).filter({ hasText: '200' })
    await delivered.first().waitFor({ timeout: 30_000 })
    expect(hookBodies.some(b => b.includes('Hello from a virtual phone'))).toBe(true)
    const hostStorage = await rest<{ chats?: number }>('GET', `/api/v1/sessions/${id}/storage`)
    expect(hostStorage).toBeTruthy()
    await expect.poll(async () => Number(await page.getByTestId('storage-chats').getAttribute('data-value'))).toBeGreaterThanOrEqual(1)
    const shot = await screenshot(page, 'web-03-session-page')
    if (process.env.WADOCK_UPDATE_SCREENSHOTS) {
      mkdirSync(join(ROOT, 'docs', 'screenshots'), { recursive: true })
      copyFileSync(shot, join(ROOT, 'docs', 'screenshots', 'session-page.png'))
    }

    await logOutInUi(page)
    await expect.poll(() => page.getByTestId('session-phone').textContent()).toBe('—')
    const after = await rest<{ status: string; is_logged_in: boolean }>('GET', `/api/v1/sessions/${id}/status`)
    expect(after).toMatchObject({ status: 'disconnected', is_logged_in: false })
    await screenshot(page, 'web-04-logged-out')

    await page.getByTestId('action-delete').click()
    await page.getByTestId('confirm-dialog').getByTestId('confirm-ok').click()
    await page.getByTestId(`session-row-${id}`).waitFor({ state: 'detached' })
    await page.getByTestId('welcome').waitFor()
    const answer = await fetch(`${api}/api/v1/sessions/${id}`, { headers: { authorization: `Bearer ${token}` } })
    expect(answer.status).toBe(404)
    await page.context().close()
  }, 180_000)

  it('linking by pairing code: the dialog asks for the number, the page shows the code, the phone types it', async () => {
    const phone = '15550005555'
    const page = await newPage()
    await page.goto(`${ui}#token=${token}`)
    await waitReady(page)
    await page.getByTestId('new-session-button').click()
    const dialog = page.getByTestId('create-dialog')
    await dialog.getByTestId('create-name').fill('By code')
    await dialog.getByTestId('create-method-code').check()
    await dialog.getByTestId('create-phone').fill('12')
    await dialog.getByTestId('create-submit').click()
    // a bad number is refused in the dialog, and nothing is created
    await dialog.getByTestId('create-error').waitFor()
    expect(await dialog.getByTestId('create-error').textContent()).toMatch(/Phone number/)
    const count = (await rest<{ total: number }>('GET', '/api/v1/sessions')).total
    await dialog.getByTestId('create-phone').fill(`+${phone}`)
    await dialog.getByTestId('create-submit').click()
    await page.locator('[data-testid="session-status"][data-status="waiting_for_pair_code"]').waitFor({ timeout: 30_000 })
    const code = page.getByTestId('pair-code')
    await code.waitFor({ timeout: 30_000 })
    const shown = (await code.textContent())!
    expect(shown).toMatch(/^[A-Z0-9]{4}-[A-Z0-9]{4}$/)
    expect((await rest<{ total: number }>('GET', '/api/v1/sessions')).total).toBe(count + 1)
    await screenshot(page, 'web-07-pairing-code')

    const typed = await fetch(`${control}/accounts/${phone}/link-code`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code: shown })
    })
    expect(typed.status).toBe(200)
    await page.locator('[data-testid="session-status"][data-status="logged_in"]').waitFor({ timeout: 30_000 })
    await expect.poll(() => page.getByTestId('session-phone').textContent()).toBe(`+${phone}`)
    await page.context().close()
  }, 120_000)

  it('200 sessions: a status change reaches the session list quickly (measured in the page, reported)', async () => {
    const page = await newPage()
    await installLatencyProbe(page)
    await page.goto(`${ui}#token=${TOKEN}`)
    await waitReady(page)
    const before = (await rest<{ total: number }>('GET', '/api/v1/sessions')).total

    const ids = Array.from({ length: 200 }, (_, i) => `load-${String(i).padStart(3, '0')}`)
    const createStart = performance.now()
    await inBatches(ids, 10, async id => {
      await rest('POST', '/api/v1/sessions', { id })
      await rest('POST', `/api/v1/sessions/${id}/disconnect`)
    })
    const createMs = performance.now() - createStart
    const total = before + ids.length
    await page.waitForFunction(n => document.querySelectorAll('[data-testid^="session-row-load-"][data-status="disconnected"]').length === n, ids.length, { timeout: 120_000 })
    expect(await page.getByTestId('session-list').getAttribute('data-count')).toBe(String(total))

    await startRecording(page)
    const measured = ids.slice(0, 20)
    for (const id of measured) {
      await rest('POST', `/api/v1/sessions/${id}/connect`)
      await page.locator(`[data-testid="session-row-${id}"][data-status="waiting_for_qr"]`).waitFor({ timeout: 30_000 })
      await rest('POST', `/api/v1/sessions/${id}/disconnect`)
      await page.locator(`[data-testid="session-row-${id}"][data-status="disconnected"]`).waitFor({ timeout: 30_000 })
    }
    const samples = await latencySamples(page)
    expect(samples.length).toBeGreaterThanOrEqual(measured.length * 2)
    const dom = summarize(samples.map(s => s.domMs))
    const paint = summarize(samples.map(s => s.paintMs))
    const report = { sessions: total, statusChanges: samples.length, frameToDomMs: dom, frameToNextFrameMs: paint, createAndDisconnect200Ms: Math.round(createMs) }
    console.log(`session list with ${total} sessions, bridge frame → DOM: ${JSON.stringify(report)}`)
    mkdirSync(ARTIFACTS, { recursive: true })
    writeFileSync(join(ARTIFACTS, 'session-list-latency.json'), `${JSON.stringify(report, null, 2)}\n`)
    await screenshot(page, 'web-05-200-sessions')
    await page.context().close()
  }, 600_000)

  it('settings: the admin token is shown; rotating it keeps this page connected with the new one and locks out the old', async () => {
    const page = await newPage()
    await page.goto(`${ui}#token=${token}`)
    await waitReady(page)
    await page.getByTestId('nav-settings').click()
    const shown = page.getByTestId('settings-admin-token')
    expect(await shown.getAttribute('data-value')).toBe(token)
    expect(await page.getByTestId('settings-port').inputValue()).toBe(new URL(api).port)

    await page.getByTestId('settings-rotate-token').click()
    await page.getByTestId('confirm-dialog').getByTestId('confirm-ok').click()
    await expect.poll(() => shown.getAttribute('data-value'), { timeout: 30_000 }).not.toBe(token)
    await waitReady(page)
    const rotated = (await shown.getAttribute('data-value'))!
    expect((await fetch(`${api}/api/v1/sessions`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(401)
    token = rotated
    expect((await rest<{ total: number }>('GET', '/api/v1/sessions')).total).toBeGreaterThan(0)
    await screenshot(page, 'web-06-settings')
    await page.context().close()
  })
})

async function inBatches<T>(items: T[], size: number, run: (item: T) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(run))
}
