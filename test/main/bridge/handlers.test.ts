/**
 * The bridge's handlers against a real host in sandbox mode (its own simulator, real Baileys, a real SQLite file):
 * a session created, its QR scanned by a virtual phone through `sandboxLink`, a message from another virtual phone,
 * storage events, tokens, webhooks, settings, logout, delete; every refusal comes back as data with its name, code
 * and message and changes nothing. A host pointed at an external simulator refuses the sandbox methods.
 */
import { readFileSync } from 'node:fs'
import pino from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BRIDGE_METHODS } from '../../../src/shared/bridge.js'
import { type Bridge, createBridgeHandlers } from '../../../src/main/bridge/handlers.js'
import { createHost, type Host } from '../../../src/main/host.js'
import { openSettingsFile, type SettingsStore } from '../../../src/main/settings/index.js'
import { startSimulator, type Simulator } from '../../../src/sim/index.js'
import { HostHarness, tempDir } from '../../support/host-harness.js'
import { EventLog, ok } from './bridge-fixture.js'

const silent = pino({ level: 'silent' })

describe('bridge handlers on a sandbox host', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>
  let host: Host
  let settings: SettingsStore
  let bridge: Bridge
  const log = new EventLog()
  const applied: [boolean, boolean][] = []

  beforeAll(async () => {
    dir = await tempDir('wadock-bridge-')
    settings = openSettingsFile(dir.path)
    host = await createHost({ dataDir: dir.path, logger: silent, target: { kind: 'sandbox' } })
    await host.start()
    bridge = createBridgeHandlers(host, {
      settings, shell: 'web', version: '9.9.9', logger: silent, feed: { storageThrottleMs: 50 },
      applySettings: (next, previous) => { applied.push([previous.startAtLogin, next.startAtLogin]) }
    })
    bridge.feed.connect(log.push, { ready: true })
  })
  afterAll(async () => {
    bridge?.close()
    await host?.stop()
    await dir?.remove()
  })

  it('has a handler for every method of the contract', () => {
    expect(Object.keys(bridge.handlers).sort()).toEqual([...BRIDGE_METHODS].sort())
  })

  it('tells the app what it runs on', async () => {
    expect(await ok(bridge, 'appInfo')).toEqual({ version: '9.9.9', shell: 'web', sandbox: true, apiUrl: null, dataDir: dir.path })
  })

  it('creates a session, links it by QR through a virtual phone, and reports it linked', async () => {
    const created = await ok(bridge, 'createSession', { id: 'alice', name: 'Alice' })
    expect(created).toMatchObject({ id: 'alice', name: 'Alice', isLoggedIn: false, phoneNumber: null })
    const qr = await log.waitFor('qr', e => e.sessionId === 'alice')
    const current = await ok(bridge, 'currentQr', 'alice')
    expect(current.qrCodes[0]).toBe(qr.qr)
    expect(current.expiresAt).toBeGreaterThan(Date.now())

    expect(await ok(bridge, 'sandboxLink', { sessionId: 'alice', phone: '+1 555 000 1111', name: 'Alice Phone' })).toEqual({ device: expect.any(String) })
    await log.waitFor('status', e => e.sessionId === 'alice' && e.status === 'logged_in')
    expect(await ok(bridge, 'getSession', 'alice')).toMatchObject({ status: 'logged_in', isLoggedIn: true, phoneNumber: '15550001111', pushName: 'Alice Phone' })
    expect(await ok(bridge, 'currentQr', 'alice')).toEqual({ qrCodes: [], expiresAt: null })
    expect((await ok(bridge, 'listSessions')).map((s: { id: string }) => s.id)).toEqual(['alice'])
  })

  it('delivers a virtual phone\'s message as an event, then the recounted storage', async () => {
    const sent = await ok(bridge, 'sandboxSendMessage', { fromPhone: '15550002222', toSessionId: 'alice', text: 'hello from Bob' })
    const message = await log.waitFor('message', e => e.sessionId === 'alice' && e.id === sent.id)
    expect(message).toMatchObject({ fromMe: false, text: 'hello from Bob', chat: '15550002222@s.whatsapp.net' })
    const storage = await log.waitFor('storage', e => e.sessionId === 'alice' && e.stats.chats >= 1)
    expect(storage.stats).toEqual(await ok(bridge, 'storageStats', 'alice'))
    expect(storage.stats.bytesReceived).toBeGreaterThan(0)
    const recent = await ok(bridge, 'recentEvents', 'alice')
    expect(recent.some((e: { type: string; id?: string }) => e.type === 'message' && e.id === sent.id)).toBe(true)
    expect(recent.every((e: { sessionId?: string }) => e.sessionId === 'alice')).toBe(true)
  })

  it('creates a session that links by pairing code: the code arrives as an event and the phone enters it', async () => {
    const created = await ok(bridge, 'createSession', { id: 'paired', pairWithPhone: '+1 555 000 8888' })
    expect(created).toMatchObject({ id: 'paired', status: 'waiting_for_pair_code' })
    const { code } = await log.waitFor('pair_code', e => e.sessionId === 'paired')
    await host.simulator!.enterLinkCode('15550008888', code)
    await log.waitFor('status', e => e.sessionId === 'paired' && e.status === 'logged_in')
    expect(await ok(bridge, 'getSession', 'paired')).toMatchObject({ phoneNumber: '15550008888', isLoggedIn: true })
    expect(await bridge.call('sandboxLink', [{ sessionId: 'paired', phone: '15550008888' }])).toMatchObject({ ok: false, error: { code: 'conflict' } })
    await ok(bridge, 'deleteSession', 'paired')
  })

  it('refuses what cannot be done, as data, changing nothing', async () => {
    const refusals: [string, unknown[], object][] = [
      ['getSession', ['nobody'], { name: 'NotFoundError', code: 'not_found', message: 'session nobody not found' }],
      ['createSession', [{ id: 'bad id!' }], { name: 'ValidationError', code: 'validation_failed', message: expect.stringMatching(/^invalid arguments: 0\.id: /) }],
      ['createSession', [{ id: 'x', extra: 1 }], { code: 'validation_failed' }],
      ['createSession', [{ id: 'alice' }], { name: 'ConflictError', code: 'conflict', message: 'session alice already exists' }],
      ['createSession', [], { code: 'validation_failed' }],
      ['getSession', [42], { code: 'validation_failed' }],
      ['requestPairingCode', ['alice', 'not a number'], { code: 'validation_failed' }],
      ['setWebhook', ['alice', { url: 'ftp://example.com' }], { code: 'validation_failed' }],
      ['updateSettings', [{ rest: { port: 0 } }], { code: 'validation_failed' }],
      ['sandboxLink', [{ sessionId: 'alice', phone: '15550003333' }], { name: 'ConflictError', code: 'conflict', message: expect.stringMatching(/linked already/) }],
      ['sandboxSendMessage', [{ fromPhone: '15550002222', toSessionId: 'nobody', text: 'x' }], { code: 'not_found' }],
      ['noSuchMethod', [], { name: 'NotFoundError', code: 'not_found', message: 'no bridge method "noSuchMethod"' }],
      ['toString', [], { code: 'not_found' }],
      ['onEvent', [], { code: 'not_found' }]
    ]
    const before = { sessions: await ok(bridge, 'listSessions'), settings: readFileSync(settings.path, 'utf8') }
    for (const [method, args, error] of refusals) {
      const result = await bridge.call(method, args)
      expect(result, method).toEqual({ ok: false, error: expect.objectContaining(error) })
    }
    expect(await bridge.call('getSession', 'not an array')).toMatchObject({ ok: false, error: { code: 'validation_failed' } })
    expect(await ok(bridge, 'listSessions')).toEqual(before.sessions)
    expect(readFileSync(settings.path, 'utf8')).toBe(before.settings)
  })

  it('shows and rotates the session token, which the store then accepts', async () => {
    const { token } = await ok(bridge, 'sessionToken', 'alice')
    const rotated = await ok(bridge, 'rotateSessionToken', 'alice')
    expect(rotated.token).not.toBe(token)
    expect(host.store.sessions.findByToken(token)).toBeUndefined()
    expect(host.store.sessions.findByToken(rotated.token)?.id).toBe('alice')
    expect(await ok(bridge, 'sessionToken', 'alice')).toEqual(rotated)
  })

  it('sets, reads and removes the webhook; lists deliveries', async () => {
    const webhook = { url: 'http://127.0.0.1:9/hook', events: ['message' as const], secret: 'a-secret-value' }
    expect(await ok(bridge, 'setWebhook', 'alice', webhook)).toEqual(webhook)
    expect(await ok(bridge, 'getWebhook', 'alice')).toEqual(webhook)
    expect(await ok(bridge, 'setWebhook', 'alice', null)).toBeNull()
    expect(await ok(bridge, 'webhookDeliveries', 'alice')).toEqual(expect.any(Array))
    expect(await bridge.call('webhookDeliveries', ['nobody'])).toMatchObject({ ok: false, error: { code: 'not_found' } })
  })

  it('changes settings: saved, applied, announced; rotates the admin token', async () => {
    const next = await ok(bridge, 'updateSettings', { startAtLogin: true, rest: { port: 7781 } })
    expect(next).toMatchObject({ startAtLogin: true, rest: { port: 7781, enabled: true } })
    expect(JSON.parse(readFileSync(settings.path, 'utf8'))).toMatchObject({ startAtLogin: true, rest: { port: 7781 } })
    expect(applied.at(-1)).toEqual([false, true])
    await log.waitFor('settings', e => e.settings.startAtLogin)
    expect(await ok(bridge, 'getSettings')).toEqual(next)
    const { adminToken } = await ok(bridge, 'rotateAdminToken')
    expect(adminToken).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(settings.get().adminToken).toBe(adminToken)
    await log.waitFor('settings', e => e.settings.adminToken === adminToken)
  })

  it('clears media with fresh figures, logs out, deletes', async () => {
    const stats = await ok(bridge, 'clearSession', 'alice')
    expect(stats).toMatchObject({ name: 'alice', files: 0 })
    const loggedOut = await ok(bridge, 'logoutSession', 'alice')
    expect(loggedOut).toMatchObject({ status: 'disconnected', reason: 'logged_out', isLoggedIn: false, phoneNumber: null })
    expect(await bridge.call('sandboxSendMessage', [{ fromPhone: '15550002222', toSessionId: 'alice', text: 'x' }]))
      .toMatchObject({ ok: false, error: { code: 'conflict', message: 'session alice is not linked: link it to a virtual phone first' } })
    expect(await ok(bridge, 'deleteSession', 'alice')).toBeUndefined()
    await log.waitFor('session_removed', e => e.sessionId === 'alice')
    expect(await ok(bridge, 'listSessions')).toEqual([])
  })
})

describe('bridge handlers on a host pointed at an external simulator', () => {
  let sim: Simulator
  let harness: HostHarness
  let dir: Awaited<ReturnType<typeof tempDir>>
  let bridge: Bridge

  beforeAll(async () => {
    sim = await startSimulator()
    dir = await tempDir('wadock-bridge-ext-')
    harness = await HostHarness.start(sim, dir.path)
    bridge = createBridgeHandlers(harness.host, { settings: openSettingsFile(dir.path), shell: 'electron', version: '1.0.0', logger: silent })
  })
  afterAll(async () => {
    bridge?.close()
    await harness?.stop()
    await sim?.stop()
    await dir?.remove()
  })

  it('refuses the virtual phone methods: they need sandbox mode', async () => {
    await ok(bridge, 'createSession', { id: 'bob' })
    for (const [method, arg] of [['sandboxLink', { sessionId: 'bob', phone: '15550004444' }], ['sandboxSendMessage', { fromPhone: '15550004444', toSessionId: 'bob', text: 'x' }]] as const) {
      expect(await bridge.call(method, [arg])).toEqual({
        ok: false, error: { name: 'SandboxError', code: 'sandbox_only', message: expect.stringMatching(/^sandbox mode is off/) }
      })
    }
    expect((await ok(bridge, 'appInfo')).sandbox).toBe(false)
  })

  it('queues events for a client until it is ready, then delivers them in order', async () => {
    const early: string[] = []
    const client = bridge.feed.connect(e => early.push(e.type))
    const log = new EventLog()
    bridge.feed.connect(log.push, { ready: true })
    await harness.linkByQr(sim, 'bob', '15550005555')
    await log.waitFor('status', e => e.sessionId === 'bob' && e.status === 'logged_in')
    expect(early).toEqual([])
    client.ready()
    expect(early).toEqual(log.events.map(e => e.type))
    expect(early).toContain('qr')
    client.close()
  })
})
