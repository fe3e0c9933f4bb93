/**
 * Headless mode's web UI for real: a host with its REST API on a loopback port, the built renderer (a stand-in
 * build in a temp folder) at /app/ with its CSP, and the bridge over a real WebSocket at /app/bridge. Upgrades
 * without the admin token, with a wrong one, from a foreign Origin or to a foreign Host are refused before a
 * WebSocket exists; a call goes round; events arrive, among them those of a session linked by a virtual phone;
 * a rotated admin token ends the connections that used the old one; stopping the host closes them.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import pino from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import type { BridgeEvent } from '../../../src/shared/bridge.js'
import { type Bridge, createBridgeHandlers } from '../../../src/main/bridge/index.js'
import { createHost, type Host } from '../../../src/main/host.js'
import { openSettingsFile, type SettingsStore } from '../../../src/main/settings/index.js'
import { APP_CSP, createWebUi } from '../../../src/main/web/index.js'
import { startSimulator, type Simulator } from '../../../src/sim/index.js'
import { call } from '../api/api-fixture.js'
import { tempDir } from '../../support/host-harness.js'
import { Client } from './bridge-client.js'

const TOKEN = 'web-ui-admin-token-0123456789'

interface Attempt { headers?: Record<string, string>; protocols?: string[]; path?: string }

describe('web UI', () => {
  let sim: Simulator
  let dir: Awaited<ReturnType<typeof tempDir>>
  let host: Host
  let bridge: Bridge
  let settings: SettingsStore
  let port: number
  const clients: Client[] = []

  /** Opens a WebSocket; resolves with the client once open, or with the HTTP status that refused the upgrade. */
  const open = ({ headers = {}, protocols = ['wadock.bridge', `token.${settings.get().adminToken}`], path = '/app/bridge' }: Attempt = {}) =>
    new Promise<Client | number>((resolve, reject) => {
      const ws = new WebSocket(`ws://127.0.0.1:${port}${path}`, protocols, { headers })
      ws.once('open', () => {
        const client = new Client(ws)
        clients.push(client)
        resolve(client)
      })
      ws.once('unexpected-response', (_req, res) => {
        resolve(res.statusCode ?? 0)
        res.resume()
        ws.terminate()
      })
      ws.once('error', err => { if (ws.readyState !== ws.CLOSED) reject(err) })
    })
  const connect = async (attempt?: Attempt) => {
    const client = await open(attempt)
    if (typeof client === 'number') throw new Error(`refused with ${client}`)
    return client
  }

  beforeAll(async () => {
    sim = await startSimulator()
    dir = await tempDir('wadock-web-')
    const renderer = join(dir.path, 'renderer')
    mkdirSync(join(renderer, 'assets'), { recursive: true })
    writeFileSync(join(renderer, 'index.html'), '<!doctype html><title>WaDock</title><div id="root"></div><script type="module" src="./assets/app.js"></script>')
    writeFileSync(join(renderer, 'assets', 'app.js'), 'export {}')
    settings = openSettingsFile(join(dir.path, 'data'))
    settings.update({ adminToken: TOKEN })
    const adminToken = () => settings.get().adminToken ?? ''
    const info = sim.info()
    const logger = pino({ level: 'silent' })
    host = await createHost({
      dataDir: join(dir.path, 'data'), logger,
      target: { kind: 'simulator', wsUrl: info.wsUrl, rootPublicKey: info.rootPublicKey, caPem: info.caPem },
      api: { enabled: true, host: '127.0.0.1', port: 0, adminToken, extend: () => createWebUi({ bridge, adminToken, rendererDir: renderer, logger }) }
    })
    bridge = createBridgeHandlers(host, { settings, shell: 'web', version: '1.2.3', logger })
    await host.start()
    port = Number(new URL(host.apiUrl!).port)
  })
  afterAll(async () => {
    for (const c of clients) c.ws.terminate()
    await host?.stop()
    bridge?.close()
    await sim?.stop()
    await dir?.remove()
  })

  it('serves the built renderer at /app/ with the CSP, and leaves the REST API as it was', async () => {
    const page = await call(port, 'GET', '/app/')
    expect(page.status).toBe(200)
    expect(page.text).toContain('<div id="root">')
    expect(page.headers['content-security-policy']).toBe(APP_CSP)
    expect(page.headers['x-frame-options']).toBe('DENY')
    expect(page.headers['cache-control']).toBe('no-store')
    expect(APP_CSP).toMatch(/script-src 'self'/)
    expect((await call(port, 'GET', '/app/assets/app.js')).status).toBe(200)
    expect(await call(port, 'GET', '/app?x=1')).toMatchObject({ status: 301, headers: { location: '/app/?x=1' } })
    expect((await call(port, 'GET', '/app/missing.js')).status).toBe(404)
    expect((await call(port, 'GET', '/app/%2e%2e/data/settings.json')).status).toBe(404)
    expect((await call(port, 'POST', '/app/')).status).toBe(405)
    expect((await call(port, 'GET', '/health')).body).toEqual({ status: 'ok' })
    expect((await call(port, 'GET', '/api/v1/sessions', { token: TOKEN })).body).toEqual({ sessions: [], total: 0 })
  })

  it('refuses the page to a foreign Host or Origin', async () => {
    expect(await call(port, 'GET', '/app/', { headers: { host: 'evil.example' } })).toMatchObject({ status: 403, text: expect.stringMatching(/Host header/) })
    expect(await call(port, 'GET', '/app/', { headers: { origin: 'https://evil.example' } })).toMatchObject({ status: 403, text: expect.stringMatching(/evil\.example/) })
  })

  it('refuses bridge upgrades without the admin token, with a wrong one, from a foreign Origin or Host', async () => {
    expect(await open({ protocols: [] })).toBe(401)
    expect(await open({ protocols: ['wadock.bridge'] })).toBe(401)
    expect(await open({ protocols: [`token.${TOKEN}`] })).toBe(401)
    expect(await open({ protocols: ['wadock.bridge', 'token.wrong-token-0123456789abc'] })).toBe(401)
    expect(await open({ protocols: ['wadock.bridge', `token.${TOKEN}x`] })).toBe(401)
    expect(await open({ headers: { origin: 'https://evil.example' } })).toBe(403)
    expect(await open({ headers: { origin: 'null' } })).toBe(403)
    expect(await open({ headers: { host: 'rebound.example:80' } })).toBe(403)
    expect(await open({ path: '/app/elsewhere' })).toBe(404)
    expect(await open({ path: '/api/v1/events' })).toBe(404)
  })

  it('answers calls over the socket, errors as data, and closes on a malformed frame', async () => {
    const client = await connect({ headers: { origin: `http://127.0.0.1:${port}` } })
    expect(client.ws.protocol).toBe('wadock.bridge')
    expect(await client.request('appInfo')).toEqual({
      ok: true, value: { version: '1.2.3', shell: 'web', sandbox: false, apiUrl: `http://127.0.0.1:${port}`, dataDir: join(dir.path, 'data') }
    })
    expect(await client.request('getSession', 'nobody')).toEqual({ ok: false, error: { name: 'NotFoundError', message: 'session nobody not found', code: 'not_found' } })
    expect(await client.request('createSession', { id: 'no spaces allowed' })).toMatchObject({ ok: false, error: { code: 'validation_failed' } })
    expect(await client.request('sandboxLink', { sessionId: 'x', phone: '15550001234' })).toMatchObject({ ok: false, error: { code: 'sandbox_only' } })
    client.ws.send('not json')
    expect(await client.closed).toEqual({ code: 4400, reason: expect.stringMatching(/JSON/) })
  })

  it('delivers events: a session created over the socket, its QR, and its link by a virtual phone', async () => {
    const watcher = await connect()
    const client = await connect()
    expect(await client.request('createSession', { id: 'web-1', name: 'Web' })).toMatchObject({ ok: true, value: { id: 'web-1', name: 'Web' } })
    const qr = await watcher.event('qr', e => e.sessionId === 'web-1')
    await sim.scanQr('15550006666', qr.qr, 'Web Phone')
    await watcher.event('status', e => e.sessionId === 'web-1' && e.status === 'logged_in')
    await client.event('status', e => e.sessionId === 'web-1' && e.status === 'logged_in')
    expect(await client.request('getSession', 'web-1')).toMatchObject({ ok: true, value: { status: 'logged_in', phoneNumber: '15550006666' } })
    const recent = await client.request('recentEvents', 'web-1')
    expect(recent.value.map((e: BridgeEvent) => e.type)).toEqual(expect.arrayContaining(['status', 'qr']))
  })

  it('ends connections that use a rotated admin token, after answering the rotation', async () => {
    const client = await connect()
    const other = await connect()
    const rotated = await client.request('rotateAdminToken')
    expect(rotated).toEqual({ ok: true, value: { adminToken: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) } })
    const stale = await other.event('settings')
    expect(stale.settings.adminToken).toBeNull()
    expect((await client.event('settings')).settings.adminToken).toBeNull()
    expect(await open({ protocols: ['wadock.bridge', `token.${TOKEN}`] })).toBe(401)
    const again = await connect({ protocols: ['wadock.bridge', `token.${rotated.value.adminToken}`] })
    expect((await again.request('listSessions')).value.map((s: { id: string }) => s.id)).toEqual(['web-1'])
    // a connection on the revoked token, kept open without a request, reads nothing more of what happens
    await again.request('createSession', { id: 'web-2' })
    await again.event('status', e => e.sessionId === 'web-2')
    other.ws.send(JSON.stringify({ id: 1, method: 'listSessions', args: [] }))
    expect(await other.closed).toEqual({ code: 4001, reason: 'the admin token changed' })
    const since = other.messages.findIndex(m => 'event' in m && m.event === stale)
    const leaked = other.messages.slice(since + 1).flatMap(m => ('event' in m ? [m.event.type] : []))
    expect(leaked).toEqual([])
    expect((await call(port, 'GET', '/api/v1/sessions', { token: rotated.value.adminToken })).status).toBe(200)
  })

  it('closes its sockets when the host stops', async () => {
    const client = await connect()
    await host.stop()
    expect((await client.closed).code).toBe(1001)
  })
})

describe('web UI without a build', () => {
  it('answers /app/ with 503 and says how to build it', async () => {
    const dir = await tempDir('wadock-web-nobuild-')
    const settings = openSettingsFile(dir.path)
    const logger = pino({ level: 'silent' })
    const holder: { bridge?: Bridge } = {}
    const host = await createHost({
      dataDir: dir.path, logger,
      api: { enabled: true, host: '127.0.0.1', port: 0, adminToken: () => TOKEN, extend: () => createWebUi({ bridge: holder.bridge!, adminToken: () => TOKEN, rendererDir: join(dir.path, 'nothing-here'), logger }) }
    })
    const bridge = createBridgeHandlers(host, { settings, shell: 'web', version: '1.2.3', logger })
    holder.bridge = bridge
    try {
      await host.start()
      const port = Number(new URL(host.apiUrl!).port)
      const page = await call(port, 'GET', '/app/')
      expect(page.status).toBe(503)
      expect(page.text).toContain('npm run build')
      expect(page.headers['content-security-policy']).toBe(APP_CSP)
    } finally {
      await host.stop()
      bridge.close()
      await dir.remove()
    }
  })
})
