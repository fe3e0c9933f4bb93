/**
 * The wuzapi dialect's users, sessions and webhook against the simulator: the admin creates a user with its own
 * token; the user connects, reads the QR as a PNG data URL, a virtual phone scans it, the status follows; disconnect
 * keeps the link, logout unlinks the device on WhatsApp, the admin deletes the user. Pairing codes link too. The
 * webhook and its HMAC key become the session's webhook in wuzapi's format. Errors in wuzapi's shape.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startSimulator, type Simulator } from '../../../../../src/sim/index.js'
import { ADMIN_TOKEN, startApiFixture, type ApiFixture } from '../../api-fixture.js'
import { expectData, expectWuzapiError, wuzapiClient } from './fixture.js'

const PHONE = { U: '15550022001', PAIR: '15550022002' } as const
const TOKEN = 'user-token-0123456789-abcdef'
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])

describe('the wuzapi session, webhook and admin endpoints', () => {
  let sim: Simulator
  let api: ApiFixture
  let wz: ReturnType<typeof wuzapiClient>
  const admin = (method: string, path: string, body?: unknown) => wz(method, path, { headers: { authorization: ADMIN_TOKEN }, body })
  const user = (method: string, path: string, body?: unknown, token = TOKEN) => wz(method, path, { token, body })
  const devicesOf = (phone: string) => sim.listAccounts().find(a => a.phone === phone)?.devices.filter(d => d.id !== 0).length ?? 0

  beforeAll(async () => {
    sim = await startSimulator()
    api = await startApiFixture(sim)
    wz = wuzapiClient(api)
  })
  afterAll(async () => {
    await api?.stop()
    await sim?.stop()
  })

  it('answers the health check without a token', async () => {
    const answer = await wz('GET', '/health')
    expect({ status: answer.status, body: answer.body }).toEqual({ status: 200, body: { code: 200, data: { status: 'ok' }, success: true } })
  })

  it('creates a user with its token; it connects, shows a QR, is linked by a scan, disconnects, reconnects without a QR, logs out; the admin deletes it', async () => {
    const created = expectData(await admin('POST', '/admin/users', { name: 'usuario2', token: TOKEN, webhook: 'https://example.com/webhook2', events: 'Message,ReadReceipt' }), 201)
    expect(created).toEqual({ id: expect.any(String), name: 'usuario2', token: TOKEN, webhook: 'https://example.com/webhook2', events: 'Message,ReadReceipt', expiration: 0 })
    const id: string = created.id
    expect(api.sessionRows()).toContain(id)
    expect(api.harness.host.sessions.info(id)).toMatchObject({ name: 'usuario2', status: 'disconnected', webhook: { url: 'https://example.com/webhook2', events: ['message', 'message_sent', 'receipt', 'message_ack'], format: 'wuzapi' } })
    const listed = expectData(await admin('GET', '/admin/users'))
    expect(listed).toContainEqual({
      id, name: 'usuario2', token: TOKEN, webhook: 'https://example.com/webhook2', jid: '', qrcode: '', connected: false, loggedIn: false,
      expiration: 0, proxy_url: '', events: 'Message,ReadReceipt'
    })
    expect(expectData(await user('GET', '/session/status'))).toEqual({ Connected: false, LoggedIn: false })
    expectWuzapiError(await user('GET', '/session/qr'), 500, 'No session')

    const since = api.harness.seen.length
    const connected = expectData(await user('POST', '/session/connect', { Subscribe: ['Message'], Immediate: false }))
    expect(connected).toEqual({ details: 'Connected!', events: 'Message', jid: '', webhook: 'https://example.com/webhook2' })
    expect(api.harness.host.sessions.info(id).webhook?.events).toEqual(['message', 'message_sent'])
    expect(expectData(await user('GET', '/session/status'))).toEqual({ Connected: true, LoggedIn: false })
    const qrEvent = await api.harness.waitFor('qr', e => e.sessionId === id, 15_000, since)
    const qr = expectData(await user('GET', '/session/qr'))
    expect(Object.keys(qr)).toEqual(['QRCode'])
    expect(qr.QRCode).toMatch(/^data:image\/png;base64,/)
    expect(Buffer.from(qr.QRCode.split(',')[1], 'base64').subarray(0, 8)).toEqual(PNG_SIGNATURE)
    const usersWhileLinking = expectData(await admin('GET', `/admin/users/${id}`))
    expect(usersWhileLinking).toHaveLength(1)
    expect(usersWhileLinking[0].qrcode).toMatch(/^data:image\/png;base64,/)

    await sim.scanQr(PHONE.U, qrEvent.qr, 'User')
    await api.harness.status(id, 'logged_in', undefined, 20_000, since)
    expect(expectData(await user('GET', '/session/status'))).toEqual({ Connected: true, LoggedIn: true })
    expectWuzapiError(await user('GET', '/session/qr'), 500, 'Already Loggedin')
    expectWuzapiError(await user('POST', '/session/connect', {}), 500, 'Already Connected')
    expect(devicesOf(PHONE.U)).toBe(1)
    const [linked] = expectData(await admin('GET', `/admin/users/${id}`))
    expect(linked).toMatchObject({ connected: true, loggedIn: true, jid: expect.stringMatching(new RegExp(`^${PHONE.U}\\.0:\\d+@s\\.whatsapp\\.net$`)) })

    expect(expectData(await user('POST', '/session/disconnect'))).toEqual({ Details: 'Disconnected' })
    expect(expectData(await user('GET', '/session/status'))).toEqual({ Connected: false, LoggedIn: false })
    expectWuzapiError(await user('POST', '/session/disconnect'), 500, 'No session')
    const again = api.harness.seen.length
    const reconnected = expectData(await user('POST', '/session/connect', { Subscribe: ['Message'], Immediate: false }))
    expect(reconnected.jid).toMatch(new RegExp(`^${PHONE.U}\\.0:\\d+@s\\.whatsapp\\.net$`))
    await api.harness.status(id, 'logged_in', undefined, 20_000, again)
    expect(api.harness.seen.slice(again).some(e => e.type === 'qr')).toBe(false)

    expect(expectData(await user('POST', '/session/logout'))).toEqual({ Details: 'Logged out' })
    expect(devicesOf(PHONE.U)).toBe(0)
    expect(api.harness.host.store.authState(id).hasCredentials()).toBe(false)
    expectWuzapiError(await user('POST', '/session/logout'), 500, 'No session')

    expect(expectData(await admin('DELETE', `/admin/users/${id}`))).toEqual({ Details: 'User deleted successfully', Id: id })
    expect(api.sessionRows()).not.toContain(id)
    expectWuzapiError(await user('GET', '/session/status'), 401, 'Unauthorized')
    expectWuzapiError(await admin('DELETE', `/admin/users/${id}`), 404, 'User not found')
    expectWuzapiError(await admin('GET', `/admin/users/${id}`), 404, 'User not found')
  })

  it('links by pairing code: the LinkingCode typed on the phone logs the user in', async () => {
    const token = 'pairing-user-token-0123456789'
    const { id } = expectData(await admin('POST', '/admin/users', { name: 'pairing', token }), 201)
    expectWuzapiError(await user('POST', '/session/pairphone', {}, token), 400, 'Missing Phone in Payload')
    const since = api.harness.seen.length
    const { LinkingCode } = expectData(await user('POST', '/session/pairphone', { Phone: PHONE.PAIR }, token))
    expect(LinkingCode).toMatch(/^[A-Z0-9]{4}-[A-Z0-9]{4}$/)
    await sim.enterLinkCode(PHONE.PAIR, LinkingCode)
    await api.harness.status(id, 'logged_in', undefined, 20_000, since)
    expect(expectData(await user('GET', '/session/status', undefined, token))).toEqual({ Connected: true, LoggedIn: true })
    expectWuzapiError(await user('POST', '/session/pairphone', { Phone: PHONE.PAIR }, token), 400, 'Already paired')
    expectData(await admin('DELETE', `/admin/users/${id}`))
    expect(devicesOf(PHONE.PAIR)).toBe(0)
  })

  it('sets, reads, updates and deletes the webhook, its subscriptions and its HMAC key', async () => {
    const token = 'webhook-user-token-0123456789'
    const { id } = expectData(await admin('POST', '/admin/users', { name: 'hooks', token }), 201)
    const as = (method: string, path: string, body?: unknown) => user(method, path, body, token)
    expect(expectData(await as('GET', '/webhook'))).toEqual({ subscribe: [], webhook: '' })
    expectWuzapiError(await as('POST', '/session/hmac/config', { hmac_key: 'k'.repeat(40) }), 400, 'Set a webhook first: the HMAC key signs webhook deliveries')

    expect(expectData(await as('POST', '/webhook', { webhookURL: 'https://some.server/webhook' }))).toEqual({ webhook: 'https://some.server/webhook' })
    expect(expectData(await as('GET', '/webhook'))).toEqual({ subscribe: ['All'], webhook: 'https://some.server/webhook' })
    expect(api.harness.host.sessions.info(id).webhook).toEqual({ url: 'https://some.server/webhook', format: 'wuzapi' })

    expectData(await as('POST', '/webhook', { webhookURL: 'https://some.server/webhook', events: ['Message', 'ChatPresence', 'Bogus'] }))
    expect(expectData(await as('GET', '/webhook'))).toEqual({ subscribe: ['Message', 'ChatPresence'], webhook: 'https://some.server/webhook' })

    expectWuzapiError(await as('POST', '/session/hmac/config', { hmac_key: 'short' }), 400, 'HMAC key must be at least 32 characters long')
    expectWuzapiError(await as('POST', '/session/hmac/config', {}), 400, 'Missing hmac_key in Payload')
    expect(expectData(await as('GET', '/session/hmac/config'))).toEqual({ hmac_key: '' })
    const key = 'your_hmac_key_minimum_32_characters_long_here'
    expect(expectData(await as('POST', '/session/hmac/config', { hmac_key: key }))).toEqual({ Details: 'HMAC configuration saved successfully' })
    expect(api.harness.host.sessions.info(id).webhook).toEqual({ url: 'https://some.server/webhook', events: ['message', 'message_sent', 'chatstate'], secret: key, format: 'wuzapi' })
    expect(expectData(await as('GET', '/session/hmac/config'))).toEqual({ hmac_key: '***' })

    const updated = expectData(await as('PUT', '/webhook', { webhook: 'https://other.server/hook', events: ['ReadReceipt'], active: true }))
    expect(updated).toEqual({ active: true, events: ['ReadReceipt'], webhook: 'https://other.server/hook' })
    expect(api.harness.host.sessions.info(id).webhook).toEqual({ url: 'https://other.server/hook', events: ['receipt', 'message_ack'], secret: key, format: 'wuzapi' })
    expect(expectData(await as('DELETE', '/session/hmac/config'))).toEqual({ Details: 'HMAC configuration deleted successfully' })
    expect(api.harness.host.sessions.info(id).webhook).toEqual({ url: 'https://other.server/hook', events: ['receipt', 'message_ack'], format: 'wuzapi' })

    expectWuzapiError(await as('POST', '/webhook', { webhookURL: 'ftp://nope' }), 400, /invalid webhook/)
    expect(api.harness.host.sessions.info(id).webhook?.url).toBe('https://other.server/hook')
    expect(expectData(await as('DELETE', '/webhook'))).toEqual({ Details: 'Webhook and events deleted successfully' })
    expect(api.harness.host.sessions.info(id).webhook).toBeNull()
    expectData(await as('PUT', '/webhook', { webhook: 'https://x.example/h', active: false }))
    expect(api.harness.host.sessions.info(id).webhook).toBeNull()
    expectData(await admin('DELETE', `/admin/users/${id}`))
  })

  it('refuses bad admin tokens, duplicate and invalid users, in wuzapi\'s shape, creating nothing', async () => {
    const rows = api.sessionRows()
    expectWuzapiError(await wz('GET', '/admin/users'), 401, 'Unauthorized')
    expectWuzapiError(await wz('GET', '/admin/users', { headers: { authorization: 'wrong-admin-token-0123456789' } }), 401, 'Unauthorized')
    expectWuzapiError(await wz('GET', '/admin/users', { token: ADMIN_TOKEN }), 401, 'Unauthorized')
    const taken = 'taken-user-token-0123456789'
    const { id } = expectData(await admin('POST', '/admin/users', { name: 'first', token: taken }), 201)
    // a user's token is no admin token
    expectWuzapiError(await wz('GET', '/admin/users', { headers: { authorization: taken } }), 401, 'Unauthorized')
    expectWuzapiError(await admin('POST', '/admin/users', { name: 'second', token: taken }), 409, 'User with the same token already exists')
    expectWuzapiError(await admin('POST', '/admin/users', { token: 'another-token-0123456789' }), 400, 'Missing name in Payload')
    expectWuzapiError(await admin('POST', '/admin/users', { name: 'x' }), 400, 'Missing token in Payload')
    expectWuzapiError(await admin('POST', '/admin/users', { name: 'x', token: 'short' }), 400, /^invalid token/)
    expectWuzapiError(await admin('POST', '/admin/users', { name: 'x', token: 'another-token-0123456789', events: 'Message,Nope' }), 400, 'Invalid event: Nope')
    expectWuzapiError(await admin('POST', '/admin/users', { name: 'x', token: 'another-token-0123456789', webhook: 'not a url' }), 400, /^invalid webhook/)
    expectWuzapiError(await wz('POST', '/admin/users', { headers: { authorization: ADMIN_TOKEN, 'content-type': 'application/json' }, raw: '{"name":' }), 400, 'Could not decode Payload')
    expect(api.sessionRows().sort()).toEqual([...rows, id].sort())
    expectData(await admin('DELETE', `/admin/users/${id}`))
  })
})

