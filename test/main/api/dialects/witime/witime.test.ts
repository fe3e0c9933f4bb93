/** The Witi.me dialect (seed 001) against real Baileys sessions linked to the simulator. */
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { qrSvgBase64 } from '../../../../../src/main/api/dialects/witime/commands.js'
import { startSimulator, type Simulator } from '../../../../../src/sim/index.js'
import { createApiApp } from '../../../../../src/main/api/app.js'
import { startApiServer } from '../../../../../src/main/api/server.js'
import { HostHarness, tempDir } from '../../../../support/host-harness.js'
import { ADMIN_TOKEN, type Answer, type ApiFixture, call, expectSeedShape, startApiFixture } from '../../api-fixture.js'

/** Seed 001's examples, verbatim (the `...` of the shortened ones left out). */
const SEED = {
  generateRequest: { user_agent: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7)...' },
  generate: { qr: '...', status: 1, error: '', ttl: 20 },
  generateError: { status: 0, error: 'Connection already established', ttl: 0 },
  status: {
    status: 10, statusString: 'WhatsAppAuthenticated', connected: true,
    ConnectionInfo: {
      lg: 'en', lc: 'US',
      phone: { device_model: 'iPhone 4S', wa_version: '2.21.10.25', mcc: '724', os_version: '9.3.5', os_build_number: 'undefined', device_manufacturer: 'Apple', mnc: '031' },
      battery: 83, tos: 0, pushname: 'Atendimento Maria', protoVersion: [0, 17], plugged: false, platform: 'iphone',
      wid: '5511987654321@s.whatsapp.net', connected: true, isResponse: 'false', binVersion: 10, locales: 'en-US,pt-BR'
    },
    WebID: '6D6307C3-2973-4468-85FA-D047CB8E1F2E',
    Webhook: 'http://my-erp.com.br&wid=6D6307C3-2973-4468-85FA-D047CB8E1F2E',
    UserAgent: 'Chrome',
    CanRestoreConnection: true,
    stats: { Contacts: 72, Chats: 32, SentBytes: 0, ReceveidBytes: 0 },
    storage: {
      Name: '6D6307C3-2973-4468-85FA-D047CB8E1F2E', Bytes: 15544238, Files: 107,
      Subs: [
        { Name: 'media', Bytes: 11817360, Files: 27, Subs: null },
        { Name: 'profile', Bytes: 1843594, Files: 52, Subs: null },
        { Name: 'thumb', Bytes: 224238, Files: 27, Subs: null }
      ]
    }
  },
  closeSession: { sucesso: true, Status: '{"status":0,"statusString":"noConnection"...' },
  restoreSession: { sucesso: true, Status: '{"status":10,"statusString":"WhatsAppAuthenticated"...' },
  saveSession: { sucesso: true },
  clear: { status: true, message: 'clear ok' },
  setConfig: { webhook: 'https://my-system.com/newWebHook', user_agent: 'Opera', APIVersionCanBulk: false, APIVersion: '1.0' }
} as const

const PHONE = { A: '15556660001', B: '15556660002', NOBODY: '15556669999' }

describe('the Witi.me dialect (seed 001)', () => {
  let sim: Simulator
  let api: ApiFixture
  let wid: string
  const ID = 'witime-1'
  const wt = (method: string, command: string, options: { body?: unknown; raw?: string; query?: Record<string, string>; wid?: string } = {}): Promise<Answer> => {
    const query = new URLSearchParams({ ...(options.wid ?? wid ? { wid: options.wid ?? wid } : {}), ...options.query }).toString()
    return call(api.server.port, method, `/witime/${command}.aspx${query ? `?${query}` : ''}`, {
      body: options.body, raw: options.raw, ...(options.raw !== undefined ? { headers: { 'content-type': 'application/json' } } : {})
    })
  }
  const session = () => api.harness.host.sessions.get(ID)

  beforeAll(async () => {
    sim = await startSimulator()
    api = await startApiFixture(sim)
    await sim.createAccount(PHONE.B, 'Bob')
    api.harness.host.sessions.create({ id: ID, name: 'Witi.me instance', connect: false })
    wid = api.harness.host.store.sessions.get(ID)!.token
  })
  afterAll(async () => {
    await api?.stop()
    await sim?.stop()
  })

  it('generate_qrcode answers the live QR as base64 SVG with its ttl; a scan links the instance', async () => {
    const before = await wt('GET', 'status')
    expect(before.body).toMatchObject({ status: 0, statusString: 'noConnection', connected: false, ConnectionInfo: null, CanRestoreConnection: false })

    const generated = await wt('POST', 'generate_qrcode', { body: SEED.generateRequest })
    expect(generated.status).toBe(200)
    expectSeedShape(generated.body, SEED.generate, { exact: true })
    expect(generated.body).toMatchObject({ status: 1, error: '' })
    const live = session().qrCodes.at(-1)!
    expect(generated.body.qr).toBe(await qrSvgBase64(live))
    expect(Buffer.from(generated.body.qr, 'base64').toString()).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/)
    expect(generated.body.ttl).toBeGreaterThan(0)
    expect(generated.body.ttl).toBeLessThanOrEqual(60)

    const waiting = await wt('GET', 'status')
    expect(waiting.body).toMatchObject({ status: 3, statusString: 'waitForQRAuthentication', connected: false })

    const since = api.harness.seen.length
    await sim.scanQr(PHONE.A, live, 'Atendimento Maria')
    await api.harness.status(ID, 'logged_in', undefined, 20_000, since)

    const again = await wt('POST', 'generate_qrcode', { body: SEED.generateRequest })
    expect(again.status).toBe(409)
    expect(again.body).toEqual(SEED.generateError)
  })

  it('status.aspx reports the connection, the account and the storage measured on disk', async () => {
    // a file in the media folder and a chat, so the figures are not all zero
    const mediaDir = join(api.harness.host.store.media.sessionDir(ID), 'media')
    await mkdir(mediaDir, { recursive: true })
    await writeFile(join(mediaDir, 'x.bin'), Buffer.alloc(1234, 7))
    const incoming = await sim.sendText(PHONE.B, PHONE.A, 'hello instance')
    await api.harness.waitFor('message', e => e.sessionId === ID && e.id === incoming.id)

    const status = await wt('GET', 'status')
    expect(status.status).toBe(200)
    expectSeedShape(status.body, SEED.status, { exact: true })
    expect(Object.keys(status.body)).toEqual(Object.keys(SEED.status))
    expect(Object.keys(status.body.ConnectionInfo)).toEqual(Object.keys(SEED.status.ConnectionInfo))
    expect(status.body).toMatchObject({
      status: 10, statusString: 'WhatsAppAuthenticated', connected: true, WebID: ID, Webhook: '', UserAgent: 'Desktop', CanRestoreConnection: true,
      ConnectionInfo: { pushname: 'Atendimento Maria', wid: `${PHONE.A}@s.whatsapp.net`, connected: true, isResponse: 'false' }
    })
    const stats = await api.harness.host.store.storageStats(ID)
    expect(stats.chats).toBeGreaterThanOrEqual(1)
    expect(status.body.stats).toEqual({ Contacts: stats.contacts, Chats: stats.chats, SentBytes: stats.bytesSent, ReceveidBytes: stats.bytesReceived })
    expectSeedShape(status.body.storage, SEED.status.storage, { exact: true })
    expect(status.body.storage.Name).toBe(ID)
    expect(status.body.storage.Subs.map((s: { Name: string }) => s.Name)).toEqual(['media', 'profile', 'thumb'])
    expect(status.body.storage.Subs[0]).toEqual({ Name: 'media', Bytes: stats.subs[0].bytes, Files: stats.subs[0].files, Subs: null })
    expect(status.body.storage.Subs[0].Bytes).toBeGreaterThanOrEqual(1234)
    expect(status.body.storage.Bytes).toBe(stats.bytes)

    // clear.aspx drops the stored files (credentials stay: still connected)
    expect((await wt('GET', 'clear')).body).toEqual(SEED.clear)
    const cleared = await wt('GET', 'status')
    expect(cleared.body.storage.Subs[0]).toEqual({ Name: 'media', Bytes: 0, Files: 0, Subs: null })
    expect(cleared.body.status).toBe(10)
  })

  it('send_message.aspx delivers to the virtual phone; query_profile.aspx tells who is on WhatsApp', async () => {
    const byQuery = await wt('GET', 'send_message', { query: { number: PHONE.B, message: 'Olá from the query' } })
    expect(byQuery.body).toEqual({ sucesso: true, id: expect.any(String), timestamp: expect.any(Number) })
    expect((await sim.account(PHONE.B).phoneDevice.waitForMessage(m => m.id === byQuery.body.id)).text).toBe('Olá from the query')
    const byBody = await wt('POST', 'send_message', { body: { number: `+${PHONE.B}`, message: 'Olá from the body' } })
    expect((await sim.account(PHONE.B).phoneDevice.waitForMessage(m => m.id === byBody.body.id)).text).toBe('Olá from the body')

    expect((await wt('GET', 'query_profile', { query: { number: PHONE.B } })).body).toEqual({ sucesso: true, number: PHONE.B, exists: true, jid: `${PHONE.B}@s.whatsapp.net` })
    expect((await wt('GET', 'query_profile', { query: { number: PHONE.NOBODY } })).body).toEqual({ sucesso: true, number: PHONE.NOBODY, exists: false, jid: null })
  })

  it('set_config sets the PostBack webhook and its batching', async () => {
    const set = await wt('POST', 'set_config', { body: SEED.setConfig })
    expect(set.status).toBe(200)
    expect(set.body).toMatchObject({ status: 10, statusString: 'WhatsAppAuthenticated', connected: true, Webhook: SEED.setConfig.webhook, UserAgent: 'Opera' })
    expect(api.harness.host.sessions.info(ID).webhook).toEqual({ url: SEED.setConfig.webhook, format: 'witime', batch: 'none' })
    await wt('POST', 'set_config', { body: { APIVersionCanBulk: true, APIVersion: '1.0' } })
    expect(api.harness.host.sessions.info(ID).webhook).toEqual({ url: SEED.setConfig.webhook, format: 'witime', batch: 'bulk' })
    await wt('POST', 'set_config', { body: { APIVersionCanBulk: true, APIVersion: '2.0' } })
    expect(api.harness.host.sessions.info(ID).webhook).toEqual({ url: SEED.setConfig.webhook, format: 'witime', batch: 'bulkgz' })
    expect((await wt('GET', 'status')).body.Webhook).toBe(SEED.setConfig.webhook)
    // a signing secret and an event filter set natively survive a set_config that does not mention them
    const signed = { url: SEED.setConfig.webhook, format: 'witime', batch: 'bulkgz', secret: 'witime-secret-0123', events: ['message'] } as const
    api.harness.host.sessions.setWebhook(ID, { ...signed, events: [...signed.events] })
    await wt('POST', 'set_config', { body: { user_agent: 'Opera' } })
    expect(api.harness.host.sessions.info(ID).webhook).toEqual(signed)
    await wt('POST', 'set_config', { body: { webhook: 'https://my-system.com/other', APIVersionCanBulk: false } })
    expect(api.harness.host.sessions.info(ID).webhook).toEqual({ ...signed, url: 'https://my-system.com/other', batch: 'none' })
    await wt('POST', 'set_config', { body: { webhook: SEED.setConfig.webhook, APIVersionCanBulk: true, APIVersion: '2.0' } })
  })

  it('close_session keeps the credentials; restore_session reconnects without a QR', async () => {
    expect((await wt('GET', 'save_session')).body).toEqual(SEED.saveSession)
    const closed = await wt('GET', 'close_session')
    expectSeedShape(closed.body, SEED.closeSession, { exact: true })
    expect(closed.body.sucesso).toBe(true)
    expect(closed.body.Status.startsWith(SEED.closeSession.Status.replace(/\.\.\.$/, ''))).toBe(true)
    expect(JSON.parse(closed.body.Status)).toMatchObject({ status: 0, statusString: 'noConnection', connected: false, CanRestoreConnection: true })
    expect(session().status).toBe('disconnected')

    const since = api.harness.seen.length
    const restored = await wt('GET', 'restore_session')
    expectSeedShape(restored.body, SEED.restoreSession, { exact: true })
    expect(restored.body.sucesso).toBe(true)
    expect(restored.body.Status.startsWith(SEED.restoreSession.Status.replace(/\.\.\.$/, ''))).toBe(true)
    expect(JSON.parse(restored.body.Status)).toMatchObject({ status: 10, statusString: 'WhatsAppAuthenticated', connected: true })
    expect(api.harness.seen.slice(since).filter(e => e.type === 'qr' && e.sessionId === ID)).toEqual([])
    const sent = await wt('GET', 'send_message', { query: { number: PHONE.B, message: 'after restore' } })
    expect((await sim.account(PHONE.B).phoneDevice.waitForMessage(m => m.id === sent.body.id)).text).toBe('after restore')
  })

  it('errors keep each command\'s shape and change nothing', async () => {
    const webhook = api.harness.host.sessions.info(ID).webhook
    const expectError = (a: Answer, status: number, body: unknown) => expect({ status: a.status, body: a.body }).toEqual({ status, body })
    expectError(await wt('GET', 'status', { wid: '' }), 401, { status: 0, error: 'missing wid' })
    expectError(await call(api.server.port, 'GET', `/witime/status.aspx?wid=${wid}&wid=${wid}`), 401, { status: 0, error: 'invalid wid' })
    expectError(await wt('POST', 'generate_qrcode', { wid: 'not-a-real-instance-token', body: SEED.generateRequest }), 401, { status: 0, error: 'invalid wid: no such instance', ttl: 0 })
    expectError(await wt('GET', 'close_session', { wid: 'not-a-real-instance-token' }), 401, { sucesso: false, error: 'invalid wid: no such instance' })
    expectError(await wt('GET', 'clear', { wid: 'not-a-real-instance-token' }), 401, { status: false, message: 'invalid wid: no such instance' })
    expectError(await wt('GET', 'reboot'), 404, { status: 0, error: 'unknown command /reboot.aspx' })
    expectError(await wt('GET', 'set_config'), 405, { status: 0, error: 'set_config.aspx takes POST' })
    expectError(await wt('POST', 'set_config', { raw: '{"webhook":' }), 400, { status: 0, error: 'the request body is not valid JSON' })
    expectError(await wt('POST', 'set_config', { body: { webhook: 'ftp://x' } }), 400, { status: 0, error: expect.stringMatching(/^webhook: /) })
    expectError(await wt('POST', 'send_message', { body: { number: '12', message: 'x' } }), 400, { sucesso: false, error: 'number: must be a phone number with 7 to 15 digits' })
    expectError(await wt('POST', 'send_message', { body: { number: PHONE.B } }), 400, { sucesso: false, error: expect.stringMatching(/^message: /) })
    expect(api.harness.host.sessions.info(ID).webhook).toEqual(webhook)
  })

  it('disconnect unlinks for good: a new QR is needed', async () => {
    const gone = await wt('GET', 'disconnect')
    expect(gone.body).toMatchObject({ status: 0, statusString: 'noConnection', connected: false, ConnectionInfo: null, CanRestoreConnection: false })
    expect(session().isLinked()).toBe(false)
    expect(sim.listAccounts().find(a => a.phone === PHONE.A)?.devices.filter(d => d.id !== 0)).toEqual([])
    expect(await wt('GET', 'restore_session')).toMatchObject({ status: 409, body: { sucesso: false, error: 'There is no saved connection: generate a qrCode' } })
    expect(await wt('GET', 'save_session')).toMatchObject({ status: 409, body: { sucesso: false, error: 'There is no authenticated connection to save' } })
    expect(await wt('GET', 'send_message', { query: { number: PHONE.B, message: 'x' } })).toMatchObject({ status: 409, body: { sucesso: false } })
  })
})

describe('the Witi.me status of a QR that expired unscanned', () => {
  it('is 13 WhatsAppNotAuthenticated, and generate_qrcode starts over', async () => {
    const sim = await startSimulator()
    const dir = await tempDir('wadock-witime-')
    // QR codes that expire within the test
    const harness = await HostHarness.start(sim, dir.path, { socketOverrides: { qrTimeout: 800 } })
    const server = await startApiServer(createApiApp({ host: harness.host, adminToken: () => ADMIN_TOKEN }), { host: '127.0.0.1', port: 0 })
    try {
      harness.host.sessions.create({ id: 'expiring', connect: false })
      const wid = harness.host.store.sessions.get('expiring')!.token
      const generated = await call(server.port, 'POST', `/witime/generate_qrcode.aspx?wid=${wid}`, { body: {} })
      expect(generated.body.status).toBe(1)
      await harness.status('expiring', 'disconnected', 'qr_timeout', 30_000)
      const status = await call(server.port, 'GET', `/witime/status.aspx?wid=${wid}`)
      expect(status.body).toMatchObject({ status: 13, statusString: 'WhatsAppNotAuthenticated', connected: false, ConnectionInfo: null, CanRestoreConnection: false })
      const again = await call(server.port, 'POST', `/witime/generate_qrcode.aspx?wid=${wid}`, { body: {} })
      expect(again.body).toMatchObject({ status: 1, error: '' })
      expect(again.body.qr).toBe(await qrSvgBase64(harness.host.sessions.get('expiring').qrCodes.at(-1)!))
    } finally {
      await server.close()
      await harness.stop()
      await sim.stop()
      await dir.remove()
    }
  })
})
