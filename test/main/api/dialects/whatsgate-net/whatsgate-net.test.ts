/** The WhatsGate.net dialect (seed 002) against real Baileys sessions linked to the simulator. */
import QRCode from 'qrcode'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startSimulator, type Simulator } from '../../../../../src/sim/index.js'
import { ADMIN_TOKEN, type Answer, type ApiFixture, call, startApiFixture } from '../../api-fixture.js'

/** Seed 002's answers, verbatim. */
const SEED = {
  connect: { success: true, qrCode: 'data:image/png;base64,...' },
  notFound: { success: false, message: 'device not found!' },
  alreadyConnected: { success: false, message: 'device is already connected' },
  status: { success: true, message: 'connected' },
  deleted: { success: true, message: 'Device deleted successfully' },
  invalidDevice: { success: false, message: 'The selected sender device is invalid.' }
} as const

const PHONE = { A: '15558880001', B: '15558880002' }
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64')

describe('the WhatsGate.net dialect (seed 002)', () => {
  let sim: Simulator
  let api: ApiFixture
  const ID = 'net-device'
  const net = (method: string, path: string, body?: unknown, token: string | null = ADMIN_TOKEN, raw?: string): Promise<Answer> =>
    call(api.server.port, method, `/whatsgate-net/api${path}`, {
      body, raw, headers: { ...(token !== null ? { 'access-token': token } : {}), ...(raw !== undefined || body !== undefined ? { 'content-type': 'application/json' } : {}) }
    })

  beforeAll(async () => {
    sim = await startSimulator()
    api = await startApiFixture(sim)
    await sim.createAccount(PHONE.B, 'Bob')
    // before it is linked, a device is known by its session's name: here the number it is going to link
    api.harness.host.sessions.create({ id: ID, name: PHONE.A, connect: false })
  })
  afterAll(async () => {
    await api?.stop()
    await sim?.stop()
  })

  it('connect answers the live QR as a PNG data URL; a scan links the device; status follows', async () => {
    expect((await net('GET', `/status/${PHONE.A}`)).body).toEqual({ success: true, message: 'not initialized' })

    const connected = await net('GET', `/connect/${PHONE.A}`)
    expect(connected.status).toBe(200)
    expect(Object.keys(connected.body)).toEqual(Object.keys(SEED.connect))
    expect(connected.body.success).toBe(true)
    const live = api.harness.host.sessions.get(ID).qrCodes.at(-1)!
    expect(connected.body.qrCode).toBe(await QRCode.toDataURL(live, { margin: 2 }))
    const png = Buffer.from(connected.body.qrCode.replace(/^data:image\/png;base64,/, ''), 'base64')
    expect(png.subarray(1, 4).toString()).toBe('PNG')
    expect((await net('GET', `/status/${PHONE.A}`)).body).toEqual({ success: true, message: 'not connected' })

    const since = api.harness.seen.length
    await sim.scanQr(PHONE.A, live, 'Shop')
    await api.harness.status(ID, 'logged_in', undefined, 20_000, since)
    expect((await net('GET', `/status/${PHONE.A}`)).body).toEqual(SEED.status)
    expect(await net('GET', `/connect/${PHONE.A}`)).toMatchObject({ status: 409, body: SEED.alreadyConnected })
  })

  it('send/text, send/image and send/location reach the virtual phone', async () => {
    const text = await net('POST', '/send/text', { sender_device: PHONE.A, phone: PHONE.B, message: 'Hello from WhatsGate.net' })
    expect(text.body).toEqual({ success: true, message: 'Message sent successfully', data: { id: expect.any(String) } })
    const phoneB = sim.account(PHONE.B).phoneDevice
    expect(await phoneB.waitForMessage(m => m.id === text.body.data.id)).toMatchObject({ text: 'Hello from WhatsGate.net', from: `${PHONE.A}@s.whatsapp.net` })

    const image = await net('POST', '/send/image', { sender_device: PHONE.A, phone: PHONE.B, media: PNG.toString('base64'), caption: 'a pixel' })
    expect(image.body.success).toBe(true)
    const gotImage = await phoneB.waitForMessage(m => m.id === image.body.data.id)
    expect(gotImage.message.imageMessage).toMatchObject({ caption: 'a pixel', mimetype: 'image/png' })

    const location = await net('POST', '/send/location', { sender_device: PHONE.A, phone: PHONE.B, latitude: '-23.5505', longitude: -46.6333 })
    expect(location.body.success).toBe(true)
    const gotLocation = await phoneB.waitForMessage(m => m.id === location.body.data.id)
    expect(gotLocation.message.locationMessage).toMatchObject({ degreesLatitude: -23.5505, degreesLongitude: -46.6333 })
  })

  it('errors are {success: false, message} and change nothing', async () => {
    const rows = () => (api.harness.host.store.db.prepare('SELECT COUNT(*) AS n FROM messages').get() as { n: number }).n
    const before = { sessions: api.sessionRows(), messages: rows() }
    const expectError = (a: Answer, status: number, message: string | RegExp) =>
      expect({ status: a.status, body: a.body }).toEqual({ status, body: { success: false, message: typeof message === 'string' ? message : expect.stringMatching(message) } })
    expectError(await net('GET', `/status/${PHONE.A}`, undefined, null), 401, 'Unauthenticated.')
    expectError(await net('GET', `/status/${PHONE.A}`, undefined, 'wrong-token-0123456789'), 401, 'Unauthenticated.')
    expectError(await net('GET', `/status/${PHONE.A}`, undefined, api.harness.host.store.sessions.get(ID)!.token), 401, 'Unauthenticated.')
    expect(await net('GET', '/status/123456789')).toMatchObject({ status: 404, body: SEED.notFound })
    expect(await net('GET', '/connect/123456789')).toMatchObject({ status: 404, body: SEED.notFound })
    expect(await net('POST', '/delete', { sender_device: '123456789' })).toMatchObject({ status: 422, body: SEED.invalidDevice })
    expectError(await net('POST', '/delete', {}), 422, 'The sender device field is required.')
    expectError(await net('POST', '/delete', undefined, ADMIN_TOKEN, '{"sender_device":'), 400, 'the request body is not valid JSON')
    expectError(await net('POST', '/send/text', { sender_device: '123456789', phone: PHONE.B, message: 'x' }), 422, 'The selected sender device is invalid.')
    expectError(await net('POST', '/send/text', { sender_device: PHONE.A, phone: PHONE.B, message: 'x'.repeat(4001) }), 422, 'message: may not be greater than 4000 characters')
    expectError(await net('POST', '/send/text', { sender_device: PHONE.A, phone: 'nobody', message: 'x' }), 422, 'phone: must be a phone number or a group id')
    expectError(await net('POST', '/send/location', { sender_device: PHONE.A, phone: PHONE.B, latitude: 91, longitude: 0 }), 422, /^latitude: /)
    expectError(await net('POST', '/send/image', { sender_device: PHONE.A, phone: PHONE.B, media: 'not media' }), 422, /^image: /)
    expectError(await net('GET', '/devices'), 404, 'no route GET /api/devices')
    expect({ sessions: api.sessionRows(), messages: rows() }).toEqual(before)
  })

  it('status says disconnected while a linked device is offline; connect brings it back without a QR; delete removes it', async () => {
    await api.harness.host.sessions.disconnect(ID)
    expect((await net('GET', `/status/${PHONE.A}`)).body).toEqual({ success: true, message: 'disconnected' })
    const since = api.harness.seen.length
    expect(await net('GET', `/connect/${PHONE.A}`)).toMatchObject({ status: 409, body: SEED.alreadyConnected })
    await api.harness.status(ID, 'logged_in', undefined, 20_000, since)
    expect(api.harness.seen.slice(since).filter(e => e.type === 'qr')).toEqual([])
    expect((await net('GET', `/status/${PHONE.A}`)).body).toEqual(SEED.status)
    const deleted = await net('POST', '/delete', { sender_device: PHONE.A })
    expect(deleted).toMatchObject({ status: 200, body: SEED.deleted })
    expect(api.harness.host.store.sessions.get(ID)).toBeUndefined()
    expect(await net('GET', `/status/${PHONE.A}`)).toMatchObject({ status: 404, body: SEED.notFound })
  })
})
