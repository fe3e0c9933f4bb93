/** Seed 004's session API, route by route, against real Baileys sessions linked to the simulator. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createSessionResponseSchema, sessionSchema, sessionStatusResponseSchema } from '../../../src/main/api/v1/schemas.js'
import { startSimulator, type Simulator } from '../../../src/sim/index.js'
import { type ApiFixture, expectError, expectSeedShape, SEED, SEED_STATUSES, startApiFixture } from './api-fixture.js'

describe('the native session API (seed 004)', () => {
  let sim: Simulator
  let api: ApiFixture
  beforeAll(async () => {
    sim = await startSimulator()
    api = await startApiFixture(sim)
  })
  afterAll(async () => {
    await api?.stop()
    await sim?.stop()
  })

  it('the seed\'s own examples fit the response schemas', () => {
    expect(createSessionResponseSchema.omit({ token: true }).safeParse(SEED.createResponse).success).toBe(true)
    expect(sessionSchema.partial().safeParse(SEED.get).success).toBe(true)
    expect(sessionStatusResponseSchema.safeParse(SEED.status).success).toBe(true)
  })

  it('creates, links by QR, reads, disconnects, reconnects without QR, logs out and deletes', async () => {
    const phone = '15557770001'
    const before = Math.floor(Date.now() / 1000)
    const created = await api.admin('POST', '/api/v1/sessions', { body: SEED.createRequest })
    expect(created.status).toBe(201)
    expect(Object.keys(created.body).sort()).toEqual(['session', 'token'])
    expectSeedShape(created.body.session, SEED.createResponse.session, { exact: true })
    expect(created.body.session).toMatchObject({ id: 'my-session', name: 'My Business Account', phone_number: null, push_name: null, status: 'connecting', last_connected_at: null, is_logged_in: false })
    expect(created.body.session.created_at).toBeGreaterThanOrEqual(before)
    expect(created.body.session.created_at).toBeLessThanOrEqual(Math.floor(Date.now() / 1000))
    expect(Number.isInteger(created.body.session.updated_at)).toBe(true)
    expect(created.body.token).toEqual(api.harness.host.store.sessions.get('my-session')!.token)

    await api.harness.status('my-session', 'waiting_for_qr')
    const qr = await api.admin('GET', '/api/v1/sessions/my-session/qr')
    expect(qr.status).toBe(200)
    expectSeedShape(qr.body, SEED.qr, { exact: true })
    expect(qr.body.status).toBe('waiting_for_qr')
    expect(qr.body.qr_codes.length).toBeGreaterThanOrEqual(1)
    // the string Baileys shows, as is (rc14 wraps WhatsApp's `2@…` ref in a wa.me link)
    expect(qr.body.qr_codes[0]).toMatch(/(^|#)2@/)
    expect(qr.body.qr_codes[0]).toBe(api.harness.host.sessions.get('my-session').qrCodes.at(-1))
    expect(qr.body.timeout_seconds).toBeGreaterThan(0)
    expect(qr.body.timeout_seconds).toBeLessThanOrEqual(60)

    const waiting = await api.admin('GET', '/api/v1/sessions/my-session/status')
    expect(waiting.body).toEqual({ status: 'waiting_for_qr', is_logged_in: false, phone_number: null, push_name: null })
    expectError(await api.admin('GET', '/api/v1/sessions/my-session/device'), 409, { code: 'conflict', message: 'session my-session is not linked' })

    const since = api.harness.seen.length
    await sim.scanQr(phone, qr.body.qr_codes[0], 'John Doe')
    await api.harness.status('my-session', 'logged_in', undefined, 20_000, since)

    const status = await api.admin('GET', '/api/v1/sessions/my-session/status')
    expectSeedShape(status.body, SEED.status, { exact: true })
    expect(status.body).toEqual({ status: 'logged_in', is_logged_in: true, phone_number: phone, push_name: 'John Doe' })

    const got = await api.admin('GET', '/api/v1/sessions/my-session')
    expect(got.status).toBe(200)
    expectSeedShape(got.body, SEED.get)
    expectSeedShape(got.body, SEED.createResponse.session, { exact: true, nullable: { last_connected_at: 'number', phone_number: 'string', push_name: 'string' } })
    expect(got.body).toMatchObject({ id: 'my-session', phone_number: phone, push_name: 'John Doe', status: 'logged_in', is_logged_in: true })
    expect(got.body.last_connected_at).toBeGreaterThanOrEqual(before)

    const list = await api.admin('GET', '/api/v1/sessions')
    expectSeedShape(list.body, SEED.list, { exact: true })
    expect(list.body.total).toBe(list.body.sessions.length)
    const listed = list.body.sessions.find((s: { id: string }) => s.id === 'my-session')
    expectSeedShape(listed, SEED.list.sessions[0])
    expect(listed).toEqual(got.body)

    const device = await api.admin('GET', '/api/v1/sessions/my-session/device')
    expect(device.status).toBe(200)
    expectSeedShape(device.body, SEED.device, { exact: true })
    expect(device.body).toMatchObject({ phone_number: phone, push_name: 'John Doe', lid: `${sim.account(phone).lid}@lid` })
    expect(device.body.device_id).toBeGreaterThanOrEqual(1)

    expect((await api.admin('GET', '/api/v1/sessions/my-session/qr')).body).toEqual({ qr_codes: [], timeout_seconds: 0, status: 'logged_in' })

    const storage = await api.admin('GET', '/api/v1/sessions/my-session/storage')
    expect(storage.status).toBe(200)
    expect(storage.body).toMatchObject({ session_id: 'my-session', folders: [{ name: 'media' }, { name: 'profile' }, { name: 'thumb' }] })
    for (const key of ['bytes', 'files', 'contacts', 'chats', 'bytes_sent', 'bytes_received']) expect(Number.isInteger(storage.body[key])).toBe(true)

    expect((await api.admin('GET', '/api/v1/sessions/my-session/webhook')).body).toEqual({ webhook: SEED.createRequest.webhook })

    const disconnected = await api.admin('POST', '/api/v1/sessions/my-session/disconnect')
    expect(disconnected.status).toBe(200)
    expectSeedShape(disconnected.body, SEED.status, { exact: true })
    expect(disconnected.body).toEqual({ status: 'disconnected', is_logged_in: false, phone_number: phone, push_name: 'John Doe' })

    const reconnectFrom = api.harness.seen.length
    const connecting = await api.admin('POST', '/api/v1/sessions/my-session/connect')
    expect(connecting.status).toBe(200)
    expect(connecting.body).toEqual({ status: 'connecting', is_logged_in: false, phone_number: phone, push_name: 'John Doe' })
    await api.harness.status('my-session', 'logged_in', undefined, 20_000, reconnectFrom)
    expect(api.harness.seen.slice(reconnectFrom).some(e => e.type === 'qr')).toBe(false)
    // connecting a connected session changes nothing
    expect((await api.admin('POST', '/api/v1/sessions/my-session/connect')).body.status).toBe('logged_in')

    const loggedOut = await api.admin('POST', '/api/v1/sessions/my-session/logout')
    expect(loggedOut.status).toBe(200)
    expect(loggedOut.body).toEqual({ status: 'disconnected', is_logged_in: false, phone_number: null, push_name: null })
    expect(api.harness.host.store.authState('my-session').hasCredentials()).toBe(false)
    expectError(await api.admin('GET', '/api/v1/sessions/my-session/device'), 409, { code: 'conflict', message: 'session my-session is not linked' })

    const deleted = await api.admin('DELETE', '/api/v1/sessions/my-session')
    expect(deleted.status).toBe(200)
    expect(deleted.body).toEqual(SEED.delete)
    expect(api.sessionRows()).not.toContain('my-session')
    expectError(await api.admin('GET', '/api/v1/sessions/my-session'), 404, { code: 'not_found', message: 'session my-session not found' })
  })

  it('links by pairing code: a code with a dash, typed on the phone, logs the session in', async () => {
    const phone = '15557770002'
    const created = await api.admin('POST', '/api/v1/sessions', { body: { id: 'pairing' } })
    expect(created.status).toBe(201)
    expect(created.body.session).toMatchObject({ id: 'pairing', name: null })
    const pair = await api.admin('POST', '/api/v1/sessions/pairing/pair', { body: { phone_number: `+${phone}`, show_push_notification: true } })
    expect(pair.status).toBe(200)
    expectSeedShape(pair.body, SEED.pair, { exact: true })
    expect(pair.body.code).toMatch(/^[A-Z0-9]{4}-[A-Z0-9]{4}$/)
    expect(pair.body.timeout_seconds).toBeGreaterThan(0)
    expect(pair.body.timeout_seconds).toBeLessThanOrEqual(60)
    expect((await api.admin('GET', '/api/v1/sessions/pairing/status')).body.status).toBe('waiting_for_pair_code')

    const since = api.harness.seen.length
    await sim.enterLinkCode(phone, pair.body.code)
    await api.harness.status('pairing', 'logged_in', undefined, 20_000, since)
    const status = await api.admin('GET', '/api/v1/sessions/pairing/status')
    expect(status.body).toMatchObject({ status: 'logged_in', is_logged_in: true, phone_number: phone })
    expect((await api.admin('GET', '/api/v1/sessions/pairing/device')).body).toMatchObject({ phone_number: phone })

    // a linked session cannot pair again
    expectError(await api.admin('POST', '/api/v1/sessions/pairing/pair', { body: { phone_number: phone } }), 409, { code: 'conflict', message: 'the session is already linked' })
    await api.admin('DELETE', '/api/v1/sessions/pairing')
  })

  it('creates a session from an empty body with a generated id, and lists every session with its total', async () => {
    const first = await api.admin('POST', '/api/v1/sessions')
    expect(first.status).toBe(201)
    expect(first.body.session.id).toMatch(/^s-[0-9a-f]{12}$/)
    expect(first.body.session.name).toBeNull()
    const second = await api.admin('POST', '/api/v1/sessions', { body: {} })
    expect(second.status).toBe(201)
    const list = await api.admin('GET', '/api/v1/sessions')
    const ids = list.body.sessions.map((s: { id: string }) => s.id)
    expect(ids).toEqual(expect.arrayContaining([first.body.session.id, second.body.session.id]))
    expect(list.body.total).toBe(ids.length)
    for (const s of list.body.sessions) expect(SEED_STATUSES).toContain(s.status)
    for (const id of [first.body.session.id, second.body.session.id]) {
      expect((await api.admin('DELETE', `/api/v1/sessions/${id}`)).body).toEqual(SEED.delete)
    }
  })

  it('a session\'s token reaches its own routes only; the admin rotates it', async () => {
    const own = await api.admin('POST', '/api/v1/sessions', { body: { id: 'own' } })
    const other = await api.admin('POST', '/api/v1/sessions', { body: { id: 'other' } })
    const token: string = own.body.token
    expect(token).not.toEqual(other.body.token)

    expect((await api.call('GET', '/api/v1/sessions/own/status', { token })).status).toBe(200)
    expect((await api.call('GET', '/api/v1/sessions/own', { token })).body.id).toBe('own')
    expect((await api.call('GET', '/api/v1/sessions/own/storage', { token })).status).toBe(200)
    const forbidden = { code: 'forbidden', message: 'a session token reaches only its own session' }
    expectError(await api.call('GET', '/api/v1/sessions/other/status', { token }), 403, forbidden)
    expectError(await api.call('DELETE', '/api/v1/sessions/other', { token }), 403, forbidden)
    // an unknown session looks the same as another one's: a session token learns nothing about other ids
    expectError(await api.call('GET', '/api/v1/sessions/ghost/status', { token }), 403, forbidden)
    const adminOnly = { code: 'forbidden', message: 'this route needs the admin token' }
    expectError(await api.call('GET', '/api/v1/sessions', { token }), 403, adminOnly)
    expectError(await api.call('POST', '/api/v1/sessions', { token, body: { id: 'sneaky' } }), 403, adminOnly)
    expectError(await api.call('POST', '/api/v1/sessions/own/token/rotate', { token }), 403, adminOnly)
    expect(api.sessionRows()).not.toContain('sneaky')

    const rotated = await api.admin('POST', '/api/v1/sessions/own/token/rotate')
    expect(rotated.status).toBe(200)
    expect(rotated.body).toEqual({ session_id: 'own', token: expect.any(String) })
    expect(rotated.body.token).not.toEqual(token)
    expectError(await api.call('GET', '/api/v1/sessions/own/status', { token }), 401, { code: 'unauthorized', message: 'invalid token' })
    expect((await api.call('GET', '/api/v1/sessions/own/status', { token: rotated.body.token })).status).toBe(200)

    // a session token may delete its own session; afterwards it is worth nothing
    expect((await api.call('DELETE', '/api/v1/sessions/own', { token: rotated.body.token })).body).toEqual(SEED.delete)
    expectError(await api.call('GET', '/api/v1/sessions/own/status', { token: rotated.body.token }), 401, { code: 'unauthorized', message: 'invalid token' })
    await api.admin('DELETE', '/api/v1/sessions/other')
  })

  it('sets, reads and removes a session\'s webhook', async () => {
    await api.admin('POST', '/api/v1/sessions', { body: { id: 'hooked' } })
    expect((await api.admin('GET', '/api/v1/sessions/hooked/webhook')).body).toEqual({ webhook: null })
    const webhook = { url: 'http://127.0.0.1:9/hook', events: ['message', 'status'], secret: 'a-long-secret' }
    const set = await api.admin('PUT', '/api/v1/sessions/hooked/webhook', { body: webhook })
    expect(set.status).toBe(200)
    expect(set.body).toEqual({ webhook })
    expect(api.harness.host.store.sessions.get('hooked')!.webhook).toEqual(webhook)
    expect((await api.admin('GET', '/api/v1/sessions/hooked/webhook')).body).toEqual({ webhook })
    expect((await api.admin('DELETE', '/api/v1/sessions/hooked/webhook')).body).toEqual({ webhook: null })
    expect(api.harness.host.store.sessions.get('hooked')!.webhook).toBeNull()
    await api.admin('DELETE', '/api/v1/sessions/hooked')
  })
})
