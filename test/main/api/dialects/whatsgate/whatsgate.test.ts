/** The WhatsGate dialect (seed 000) against real Baileys sessions linked to the simulator. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startSimulator, type Simulator } from '../../../../../src/sim/index.js'
import { ADMIN_TOKEN, type Answer, type ApiFixture, call, expectSeedShape, startApiFixture } from '../../api-fixture.js'

/** Seed 000's examples, verbatim. */
const SEED = {
  create: { name: 'My WhatsApp', callback: 'https://callback.my/script.handler' },
  createCode: { name: 'My WhatsApp', callback: 'https://callback.my/script.handler', auth_type: 'CODE', number: '79999999999' },
  response: {
    result: 'OK',
    data: {
      id: 151, name: 'My WhatsApp', unique_id: '6345454545454', status: 'PENDING', callback: 'https://callback.my/script.handler',
      date_add: '2022-10-11 19:30:14', qr: null, status_name: 'Initialization', pushname: null, wid: null,
      qr_link: 'https://whatsgate.org/qr/6345454545454'
    }
  }
} as const

const PHONE = { A: '15553330001', B: '15553330002', C: '15553330003', NOBODY: '15553339999' }

describe('the WhatsGate dialect (seed 000)', () => {
  let sim: Simulator
  let api: ApiFixture
  const wg = (command: string, body: unknown, key: string | undefined = ADMIN_TOKEN, raw?: string): Promise<Answer> =>
    call(api.server.port, 'POST', `/whatsgate/api/v1/${command}`, {
      ...(raw !== undefined ? { raw, headers: { 'content-type': 'application/json', ...(key ? { 'x-api-key': key } : {}) } }
        : { body, headers: key ? { 'x-api-key': key } : {} })
    })
  const tokenOf = (id: string) => api.harness.host.store.sessions.get(id)!.token
  /** session id → unique_id of the sessions this suite linked, first one first */
  const wgUnique = new Map<string, string>()

  beforeAll(async () => {
    sim = await startSimulator()
    api = await startApiFixture(sim)
    await sim.createAccount(PHONE.B, 'Bob')
  })
  afterAll(async () => {
    await api?.stop()
    await sim?.stop()
  })

  /** session-create (the seed's QR request), then a virtual phone scans the QR that sessions-get shows. */
  async function createAndLink(phone: string, name: string = SEED.create.name) {
    const created = await wg('session-create', { ...SEED.create, name })
    expect(created.status).toBe(200)
    const data = created.body.data
    const sessionId = api.harness.host.store.sessions.list().find(r => api.harness.host.store.sessions.numberOf(r.id) === data.id)!.id
    wgUnique.set(sessionId, data.unique_id)
    await api.harness.waitFor('qr', e => e.sessionId === sessionId)
    const waiting = await wg('sessions-get', { WhatsappID: data.unique_id })
    expect(waiting.body.data).toHaveLength(1)
    expect(waiting.body.data[0]).toMatchObject({ status: 'AUTH', status_name: 'Authorization' })
    expect(waiting.body.data[0].qr).toBe(api.harness.host.sessions.get(sessionId).qrCodes.at(-1))
    const since = api.harness.seen.length
    await sim.scanQr(phone, waiting.body.data[0].qr, 'Alice')
    await api.harness.status(sessionId, 'logged_in', undefined, 20_000, since)
    return { created, data, sessionId }
  }

  it('session-create answers exactly the seed\'s object; the QR links it; sessions-get shows it working', async () => {
    const before = Date.now()
    const { created, data, sessionId } = await createAndLink(PHONE.A)
    expectSeedShape(created.body, SEED.response, { exact: true })
    expectSeedShape(data, SEED.response.data, { exact: true, nullable: { qr: 'string', pushname: 'string', wid: 'string' } })
    expect(data).toMatchObject({ name: 'My WhatsApp', status: 'PENDING', status_name: 'Initialization', callback: SEED.create.callback, qr: null, pushname: null, wid: null })
    expect(Object.keys(data)).toEqual(Object.keys(SEED.response.data))
    expect(Number.isInteger(data.id) && data.id > 0).toBe(true)
    expect(data.unique_id).toMatch(/^[0-9]{20}$/)
    expect(data.qr_link).toBe(`http://127.0.0.1:${api.server.port}/whatsgate/qr/${data.unique_id}`)
    expect(data.date_add).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/)
    const added = new Date(data.date_add.replace(' ', 'T')).getTime()
    expect(added).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000)
    expect(added).toBeLessThanOrEqual(Date.now())
    // the callback became the session's webhook, in WhatsGate's event format
    expect(api.harness.host.sessions.info(sessionId).webhook).toEqual({ url: SEED.create.callback, format: 'whatsgate' })
    // the unique id is not the token, and the token is nowhere in the answer
    expect(created.text).not.toContain(tokenOf(sessionId))

    const ready = await wg('sessions-get', { WhatsappID: data.unique_id })
    expect(ready.body).toEqual({
      result: 'OK',
      data: [{ ...data, status: 'READY', status_name: 'Working', pushname: 'Alice', wid: `${PHONE.A}@c.us` }]
    })
  })

  it('session-create with auth_type CODE answers the pairing code; the phone enters it and the session links', async () => {
    const created = await wg('session-create', { ...SEED.createCode, name: 'By code', number: PHONE.C })
    expect(created.status).toBe(200)
    const data = created.body.data
    expectSeedShape(data, SEED.response.data, { exact: true, nullable: { qr: 'string' } })
    expect(data).toMatchObject({ name: 'By code', status: 'AUTH', status_name: 'Authorization' })
    expect(data.qr).toMatch(/^[A-Z0-9]{4}-[A-Z0-9]{4}$/)
    const sessionId = api.harness.host.store.sessions.list().find(r => api.harness.host.store.sessions.numberOf(r.id) === data.id)!.id
    const since = api.harness.seen.length
    await sim.enterLinkCode(PHONE.C, data.qr)
    await api.harness.status(sessionId, 'logged_in', undefined, 20_000, since)
    const ready = await wg('sessions-get', { WhatsappID: data.unique_id })
    expect(ready.body.data[0]).toMatchObject({ status: 'READY', wid: `${PHONE.C}@c.us`, qr: null })
    const deleted = await wg('session-delete', { WhatsappID: data.unique_id })
    expect(deleted.body).toEqual({ result: 'OK', data: { ...ready.body.data[0], status: 'DESTROYING', status_name: 'Deleting' } })
    expect(api.harness.host.store.sessions.get(sessionId)).toBeUndefined()
  })

  it('send delivers texts, images and files to the virtual phone; check tells who is on WhatsApp', async () => {
    const uid = [...wgUnique.values()][0]
    const sent = await wg('send', { WhatsappID: uid, async: false, recipient: { number: PHONE.B }, message: { type: 'text', body: 'Hello from WhatsGate' } })
    expect(sent.status).toBe(200)
    expect(sent.body).toEqual({ result: 'OK', data: { id: expect.any(String), timestamp: expect.any(Number) } })
    const got = await sim.account(PHONE.B).phoneDevice.waitForMessage(m => m.id === sent.body.data.id)
    expect(got).toMatchObject({ text: 'Hello from WhatsGate', from: `${PHONE.A}@s.whatsapp.net` })

    const byJid = await wg('send', { WhatsappID: uid, recipient: { id: `${PHONE.B}@c.us` }, message: { body: 'by id' } })
    expect((await sim.account(PHONE.B).phoneDevice.waitForMessage(m => m.id === byJid.body.data.id)).text).toBe('by id')

    const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64')
    const image = await wg('send', { WhatsappID: uid, recipient: { number: PHONE.B }, message: { body: 'a pixel', media: { mimetype: 'image/png', data: png.toString('base64'), filename: 'pixel.png' } } })
    expect(image.body.result).toBe('OK')
    const gotImage = await sim.account(PHONE.B).phoneDevice.waitForMessage(m => m.id === image.body.data.id)
    expect(gotImage.message.imageMessage).toMatchObject({ caption: 'a pixel', mimetype: 'image/png' })
    const file = await wg('send', { WhatsappID: uid, recipient: { number: PHONE.B }, message: { media: { mimetype: 'text/plain', data: Buffer.from('hello file').toString('base64'), filename: 'hello.txt' } } })
    const gotFile = await sim.account(PHONE.B).phoneDevice.waitForMessage(m => m.id === file.body.data.id)
    expect(gotFile.message.documentMessage).toMatchObject({ fileName: 'hello.txt', mimetype: 'text/plain' })

    expect((await wg('check', { WhatsappID: uid, number: PHONE.B })).body).toEqual({ result: 'OK', data: { number: PHONE.B, exists: true, wid: `${PHONE.B}@c.us` } })
    expect((await wg('check', { WhatsappID: uid, number: `+${PHONE.NOBODY}` })).body).toEqual({ result: 'OK', data: { number: PHONE.NOBODY, exists: false, wid: null } })
  })

  it('set-hook replaces and removes the callback', async () => {
    const [sessionId, uid] = [...wgUnique.entries()][0]
    const set = await wg('set-hook', { WhatsappID: uid, callback: 'http://127.0.0.1:9/hook' })
    expect(set.body).toMatchObject({ result: 'OK', data: { unique_id: uid, callback: 'http://127.0.0.1:9/hook' } })
    expect(api.harness.host.sessions.info(sessionId).webhook).toEqual({ url: 'http://127.0.0.1:9/hook', format: 'whatsgate' })
    // a signing secret and an event filter set natively survive a new callback
    api.harness.host.sessions.setWebhook(sessionId, { url: 'http://127.0.0.1:9/hook', format: 'whatsgate', secret: 'whatsgate-secret-01', events: ['message'] })
    await wg('set-hook', { WhatsappID: uid, callback: 'http://127.0.0.1:9/other' })
    expect(api.harness.host.sessions.info(sessionId).webhook).toEqual({ url: 'http://127.0.0.1:9/other', format: 'whatsgate', secret: 'whatsgate-secret-01', events: ['message'] })
    const removed = await wg('set-hook', { WhatsappID: uid, callback: '' })
    expect(removed.body.data.callback).toBeNull()
    expect(api.harness.host.sessions.info(sessionId).webhook).toBeNull()
  })

  it('sessions-get filters by name and status and pages', async () => {
    const idle = await wg('session-create', { name: 'Second' })
    const all = await wg('sessions-get', {})
    expect(all.body.data.map((s: { name: string }) => s.name)).toEqual(expect.arrayContaining(['My WhatsApp', 'Second']))
    const byName = await wg('sessions-get', { name: 'Second' })
    expect(byName.body.data.map((s: { unique_id: string }) => s.unique_id)).toEqual([idle.body.data.unique_id])
    const ready = await wg('sessions-get', { status: 'READY' })
    expect(ready.body.data.length).toBeGreaterThanOrEqual(1)
    expect(ready.body.data.every((s: { status: string }) => s.status === 'READY')).toBe(true)
    const page1 = await wg('sessions-get', { page_cnt: 1, page: 1 })
    const page2 = await wg('sessions-get', { page_cnt: '1', page: '2' })
    expect(page1.body.data).toHaveLength(1)
    expect(page2.body.data).toHaveLength(1)
    expect(page2.body.data[0].unique_id).not.toBe(page1.body.data[0].unique_id)
    expect([page1.body.data[0].unique_id, page2.body.data[0].unique_id]).toEqual(all.body.data.slice(0, 2).map((s: { unique_id: string }) => s.unique_id))
  })

  it('a session\'s own token reaches only that session', async () => {
    const [sessionId, uid] = [...wgUnique.entries()][0]
    const key = tokenOf(sessionId)
    const own = await wg('sessions-get', {}, key)
    expect(own.body.data.map((s: { unique_id: string }) => s.unique_id)).toEqual([uid])
    const other = (await wg('sessions-get', { name: 'Second' })).body.data[0].unique_id
    expect(await wg('set-hook', { WhatsappID: other, callback: 'http://127.0.0.1:9/x' }, key)).toMatchObject({
      status: 500, body: { name: 'AccessError', message: 'this key reaches only its own session', code: 403 }
    })
    const rows = api.sessionRows()
    expect((await wg('session-create', { name: 'nope' }, key)).body).toEqual({ name: 'AccessError', message: 'session-create needs the admin key', code: 403 })
    expect(api.sessionRows()).toEqual(rows)
  })

  it('errors come as HTTP 500 {name, message, code} and change nothing', async () => {
    const rows = api.sessionRows()
    const expectError = (a: Answer, name: string, code: number, message: string | RegExp) => {
      expect(a.status).toBe(500)
      expect(a.body).toEqual({ name, code, message: typeof message === 'string' ? message : expect.stringMatching(message) })
    }
    expectError(await wg('sessions-get', {}, ''), 'AuthError', 401, 'missing X-Api-Key header')
    expectError(await wg('session-create', SEED.create, 'wrong-key-0123456789'), 'AuthError', 401, 'invalid API key')
    expectError(await wg('session-delete', { WhatsappID: '12345678901234567890' }), 'NotFoundError', 404, 'session 12345678901234567890 not found')
    expectError(await wg('send', { WhatsappID: '1', recipient: { number: PHONE.B }, message: { body: 'x' } }), 'NotFoundError', 404, 'session 1 not found')
    expectError(await wg('session-create', undefined, ADMIN_TOKEN, '{"name": '), 'ValidationError', 400, 'the request body is not valid JSON')
    expectError(await wg('session-create', { ...SEED.createCode, number: undefined }), 'ValidationError', 400, /^number: is required with auth_type CODE/)
    expectError(await wg('session-create', { name: 'x', callback: 'not a url' }), 'ValidationError', 400, /^callback: /)
    expectError(await wg('session-create', { auth_type: 'SMS' }), 'ValidationError', 400, /^auth_type: /)
    const uid = [...wgUnique.values()][0]
    expectError(await wg('send', { WhatsappID: uid, recipient: { number: 'abc' }, message: { body: 'x' } }), 'ValidationError', 400, /^recipient.number: /)
    expectError(await wg('send', { WhatsappID: uid, recipient: {}, message: {} }), 'ValidationError', 400, /recipient: needs number or id; message: needs a body or media/)
    expectError(await wg('check', { WhatsappID: uid, number: '12' }), 'ValidationError', 400, 'number: must be a phone number')
    expectError(await wg('session-start', {}), 'NotFoundError', 404, 'unknown command session-start')
    expect(api.sessionRows()).toEqual(rows)
  })

  it('session-delete removes the session and logs its device out', async () => {
    const { data, sessionId } = await createAndLink('15553330004', 'to delete')
    const deleted = await wg('session-delete', { WhatsappID: data.unique_id })
    expect(deleted.body).toMatchObject({ result: 'OK', data: { unique_id: data.unique_id, status: 'DESTROYING', status_name: 'Deleting' } })
    expect(api.harness.host.store.sessions.get(sessionId)).toBeUndefined()
    expect((await wg('sessions-get', { WhatsappID: data.unique_id })).body).toEqual({ result: 'OK', data: [] })
    expect(sim.listAccounts().find(a => a.phone === '15553330004')?.devices.filter(d => d.id !== 0)).toEqual([])
  })
})
