/**
 * The message routes against the simulator: every kind of send reaches the virtual phone (decrypted content, caption,
 * bytes), as JSON and as a multipart upload; stored messages page by seq; media downloads with its type and name;
 * bad input is refused per status with nothing written.
 */
import { downloadMediaMessage, type WAMessage } from '@whiskeysockets/baileys'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type PhoneMessage, simulatorSocketOptions, startSimulator, type Simulator } from '../../../src/sim/index.js'
import { JPEG, MP3, MP4, PDF, PNG, WEBP } from '../operations/fixture.js'
import { ADMIN_TOKEN, expectError } from './api-fixture.js'
import { type LinkedApi, multipart, startLinkedApi } from './linked-fixture.js'

const PHONE = { A: '15550011001', B: '15550011002', P: '15550011009' } as const
const S = '/api/v1/sessions/alice'
const pn = (phone: string) => `${phone}@s.whatsapp.net`

describe('the message routes', () => {
  let sim: Simulator
  let api: LinkedApi
  const phone = () => sim.account(PHONE.P).phoneDevice
  const phoneBytes = (got: PhoneMessage) => downloadMediaMessage(
    { key: { id: got.id }, message: got.message } as WAMessage, 'buffer',
    { options: { dispatcher: simulatorSocketOptions(sim.info()).mediaDispatcher } as RequestInit }
  )
  const post = (kind: string, body: unknown) => api.admin('POST', `${S}/messages/${kind}`, { body })

  beforeAll(async () => {
    sim = await startSimulator()
    api = await startLinkedApi(sim, { alice: { phone: PHONE.A, name: 'Alice' }, bob: { phone: PHONE.B, name: 'Bob' } })
    await sim.createAccount(PHONE.P, 'Pat')
  })
  afterAll(async () => {
    await api?.stop()
    await sim?.stop()
  })

  it('sends a text with the session\'s own token; the phone receives it; it is listed from the store', async () => {
    const sent = await api.call('POST', `${S}/messages/text`, { token: api.tokens.alice, body: { to: `+${PHONE.P}`, text: 'hello Pat' } })
    expect(sent.status).toBe(200)
    expect(Object.keys(sent.body).sort()).toEqual(['chat', 'id', 'timestamp', 'type'])
    expect(sent.body).toMatchObject({ chat: pn(PHONE.P), type: expect.stringMatching(/^(conversation|extendedTextMessage)$/) })
    const got = await phone().waitForMessage(m => m.id === sent.body.id)
    expect(got).toMatchObject({ from: pn(PHONE.A), text: 'hello Pat' })

    const page = await api.admin('GET', `${S}/messages?chat=${PHONE.P}`)
    expect(page.status).toBe(200)
    const listed = page.body.messages.find((m: { id: string }) => m.id === sent.body.id)
    expect(listed).toMatchObject({ chat: pn(PHONE.P), from_me: true, text: 'hello Pat', has_media: false, status: expect.any(String) })
    expect(Object.keys(listed).sort()).toEqual(['chat', 'edited_at', 'from_me', 'has_media', 'id', 'revoked_at', 'sender', 'seq', 'status', 'text', 'timestamp', 'type'])
    expect(page.body.next_after).toBe(page.body.messages.at(-1).seq)
  })

  it('pages by seq with after and limit', async () => {
    const { id: incoming } = await sim.sendText(PHONE.P, PHONE.A, 'from Pat')
    await api.harness.waitFor('message', e => e.id === incoming)
    await post('text', { to: PHONE.P, text: 'second' })
    const first = await api.admin('GET', `${S}/messages?limit=1`)
    expect(first.body.messages).toHaveLength(1)
    const rest = await api.admin('GET', `${S}/messages?after=${first.body.next_after}&limit=500`)
    expect(rest.body.messages[0].seq).toBeGreaterThan(first.body.messages[0].seq)
    const all = await api.admin('GET', `${S}/messages`)
    expect([...first.body.messages, ...rest.body.messages].map(m => m.seq)).toEqual(all.body.messages.map((m: { seq: number }) => m.seq))
    expect(all.body.messages.find((m: { id: string }) => m.id === incoming)).toMatchObject({ from_me: false, text: 'from Pat', sender: pn(PHONE.P) })
    const empty = await api.admin('GET', `${S}/messages?after=${all.body.next_after}`)
    expect(empty.body).toEqual({ messages: [], next_after: all.body.next_after })
    for (const query of ['limit=0', 'limit=501', 'after=-1', 'after=x', 'chat=123']) {
      const bad = await api.admin('GET', `${S}/messages?${query}`)
      expect(bad.status, query).toBe(400)
      expect(bad.body.error.details[0].path).toBe(query.split('=')[0])
    }
  })

  it('sends an image as base64 and as a multipart upload: the phone gets the bytes and the caption', async () => {
    const json = await post('image', { to: PHONE.P, image: JPEG.toString('base64'), caption: 'as json' })
    expect(json.body.type).toBe('imageMessage')
    const gotJson = await phone().waitForMessage(m => m.id === json.body.id)
    expect(gotJson).toMatchObject({ type: 'image', caption: 'as json' })
    expect(await phoneBytes(gotJson)).toEqual(JPEG)

    const form = multipart({ to: PHONE.P, caption: 'as upload', mentions: [PHONE.P] }, { name: 'pic.png', type: 'image/png', bytes: PNG })
    const upload = await api.admin('POST', `${S}/messages/image`, form)
    expect(upload.status).toBe(200)
    const gotUpload = await phone().waitForMessage(m => m.id === upload.body.id)
    expect(gotUpload).toMatchObject({ type: 'image', caption: 'as upload' })
    expect(gotUpload.message.imageMessage?.mimetype).toBe('image/png')
    expect(gotUpload.message.imageMessage?.contextInfo?.mentionedJid).toEqual([pn(PHONE.P)])
    expect(await phoneBytes(gotUpload)).toEqual(PNG)
  })

  it('sends a document upload under its file name, and video, audio, sticker, location and contact as JSON', async () => {
    const doc = await api.admin('POST', `${S}/messages/document`, multipart({ to: PHONE.P, caption: 'the report' }, { name: 'report Q3.pdf', type: 'application/octet-stream', bytes: PDF }))
    expect(doc.status).toBe(200)
    const gotDoc = await phone().waitForMessage(m => m.id === doc.body.id)
    expect(gotDoc.message.documentMessage).toMatchObject({ fileName: 'report Q3.pdf', mimetype: 'application/pdf', caption: 'the report' })
    expect(await phoneBytes(gotDoc)).toEqual(PDF)

    const video = await post('video', { to: PHONE.P, video: `data:video/mp4;base64,${MP4.toString('base64')}`, caption: 'clip', gif_playback: true })
    expect((await phone().waitForMessage(m => m.id === video.body.id)).message.videoMessage).toMatchObject({ caption: 'clip', gifPlayback: true })
    const voice = await api.admin('POST', `${S}/messages/audio`, multipart({ to: PHONE.P, ptt: 'true' }, { name: 'a.mp3', type: 'audio/mpeg', bytes: MP3 }))
    expect((await phone().waitForMessage(m => m.id === voice.body.id)).message.audioMessage).toMatchObject({ ptt: true, mimetype: 'audio/mpeg' })
    const sticker = await post('sticker', { to: PHONE.P, sticker: WEBP.toString('base64') })
    expect((await phone().waitForMessage(m => m.id === sticker.body.id)).type).toBe('sticker')
    const location = await post('location', { to: PHONE.P, latitude: -6.2, longitude: 106.8, name: 'Monas' })
    expect((await phone().waitForMessage(m => m.id === location.body.id)).message.locationMessage).toMatchObject({ degreesLatitude: -6.2, degreesLongitude: 106.8, name: 'Monas' })
    const card = await post('contact', { to: PHONE.P, contact: { name: 'John Doe', phone: '+628123456789' } })
    expect((await phone().waitForMessage(m => m.id === card.body.id)).message.contactMessage?.vcard).toContain('waid=628123456789')
  })

  it('reacts, edits, revokes and marks read', async () => {
    const { id: theirs } = await sim.sendText(PHONE.P, PHONE.A, 'react to me')
    await api.harness.waitFor('message', e => e.id === theirs)
    const like = await post('react', { chat: PHONE.P, message_id: theirs, emoji: '👍' })
    expect(like.body.type).toBe('reactionMessage')
    expect((await phone().waitForMessage(m => m.id === like.body.id)).message.reactionMessage).toMatchObject({ text: '👍', key: { id: theirs } })

    const read = await post('read', { chat: PHONE.P, message_ids: [theirs] })
    expect(read.body).toEqual({ chat: pn(PHONE.P), message_ids: [theirs] })

    // edits and revokes, as Bob's Baileys client (another session of this host) applies them to the message
    const bob = api.harness.host.sessions.get('bob').socket!
    const updates: { id: string; edited?: string; revoked: boolean }[] = []
    bob.ev.on('messages.update', list => {
      for (const u of list) {
        const edited = u.update.message?.editedMessage?.message
        updates.push({ id: u.key.id!, edited: (edited?.conversation ?? edited?.extendedTextMessage?.text) ?? undefined, revoked: u.update.messageStubType === 1 })
      }
    })
    const until = async (check: () => boolean) => { for (let i = 0; i < 200 && !check(); i++) await new Promise(r => setTimeout(r, 50)); expect(check()).toBe(true) }
    const mine = await post('text', { to: PHONE.B, text: 'typo' })
    await api.harness.waitFor('message', e => e.sessionId === 'bob' && e.id === mine.body.id)
    const edit = await post('edit', { message_id: mine.body.id, text: 'fixed' })
    expect(edit.body.type).toBe('protocolMessage')
    await until(() => updates.some(u => u.id === mine.body.id && u.edited === 'fixed'))
    // both stores list the edited text, sender's and recipient's
    const listedIn = async (session: string, chat: string) =>
      ((await api.admin('GET', `/api/v1/sessions/${session}/messages?chat=${chat}`)).body.messages as Record<string, unknown>[]).find(m => m.id === mine.body.id)
    const untilListed = async (check: (alice?: Record<string, unknown>, bob?: Record<string, unknown>) => boolean) => {
      for (let i = 0; i < 200; i++) {
        if (check(await listedIn('alice', PHONE.B), await listedIn('bob', PHONE.A))) return
        await new Promise(r => setTimeout(r, 50))
      }
      throw new Error('the stores never showed it')
    }
    await untilListed((a, b) => a?.text === 'fixed' && b?.text === 'fixed')
    expect(await listedIn('bob', PHONE.A)).toMatchObject({ edited_at: expect.any(Number), revoked_at: null })
    const revoke = await post('revoke', { chat: PHONE.B, message_id: mine.body.id })
    expect(revoke.body.type).toBe('protocolMessage')
    await until(() => updates.some(u => u.id === mine.body.id && u.revoked))
    await untilListed((a, b) => a?.revoked_at != null && b?.revoked_at != null)
    expect(await listedIn('alice', PHONE.B)).toMatchObject({ text: null, revoked_at: expect.any(Number), has_media: false })

    expectError(await post('edit', { message_id: theirs, text: 'not mine' }), 400, { code: 'validation_failed', message: /not sent by this session/ })
    expectError(await post('react', { message_id: 'NOSUCHMESSAGE', emoji: '👍' }), 404, { code: 'not_found', message: 'message NOSUCHMESSAGE not found' })
  })

  it('downloads a stored message\'s media with its type and file name', async () => {
    const { id } = await sim.sendImage(PHONE.P, PHONE.A, { bytes: JPEG, mimetype: 'image/jpeg', caption: 'from Pat' })
    await api.harness.waitFor('message', e => e.id === id)
    const image = await api.call('GET', `${S}/messages/${id}/media`, { token: api.tokens.alice })
    expect(image.status).toBe(200)
    expect(image.headers['content-type']).toBe('image/jpeg')
    expect(Buffer.from(image.text, 'latin1').length).toBeGreaterThan(0)
    const raw = await fetch(`${api.server.url}${S}/messages/${id}/media`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })
    expect(Buffer.from(await raw.arrayBuffer())).toEqual(JPEG)

    const doc = await api.admin('POST', `${S}/messages/document`, { body: { to: PHONE.P, document: PDF.toString('base64'), file_name: 'résumé.pdf' } })
    const file = await fetch(`${api.server.url}${S}/messages/${doc.body.id}/media`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })
    expect(file.headers.get('content-type')).toBe('application/pdf')
    expect(file.headers.get('content-disposition')).toBe('attachment; filename="r_sum_.pdf"; filename*=UTF-8\'\'r%C3%A9sum%C3%A9.pdf')
    expect(Buffer.from(await file.arrayBuffer())).toEqual(PDF)

    const text = await post('text', { to: PHONE.P, text: 'no media' })
    expectError(await api.admin('GET', `${S}/messages/${text.body.id}/media`), 400, { code: 'validation_failed', message: `message ${text.body.id} has no media` })
    expectError(await api.admin('GET', `${S}/messages/NOSUCH/media`), 404, { code: 'not_found', message: 'message NOSUCH not found' })
    expectError(await api.admin('GET', `${S}/messages/bad%20id/media`), 400, { code: 'validation_failed', message: 'invalid request', details: [{ path: 'message_id', message: expect.any(String) }] })
  })

  it('refuses bad input per status and writes nothing', async () => {
    const before = api.messageRows()
    const inbox = phone().inbox.length
    const body = { to: PHONE.P, text: 'never sent' }
    expectError(await api.call('POST', `${S}/messages/text`, { body }), 401, { code: 'unauthorized', message: 'missing bearer token' })
    expectError(await api.call('POST', `${S}/messages/text`, { token: api.tokens.idle, body }), 403, { code: 'forbidden', message: 'a session token reaches only its own session' })
    expectError(await api.call('GET', `${S}/messages`, { token: api.tokens.idle }), 403, { code: 'forbidden', message: 'a session token reaches only its own session' })
    expectError(await api.admin('POST', '/api/v1/sessions/ghost/messages/text', { body }), 404, { code: 'not_found', message: 'session ghost not found' })
    expectError(await api.admin('GET', '/api/v1/sessions/ghost/messages'), 404, { code: 'not_found', message: 'session ghost not found' })
    expectError(await api.call('POST', '/api/v1/sessions/idle/messages/text', { token: api.tokens.idle, body }), 409, { code: 'conflict', message: 'session not linked' })

    const bad = await post('text', { to: '123', text: '', extra: 1 })
    expect(bad.status).toBe(400)
    expect(bad.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual(['extra', 'text', 'to'])
    expectError(await post('location', { to: PHONE.P, latitude: 91, longitude: 'x' }), 400, {
      code: 'validation_failed', message: 'invalid request', details: [{ path: 'latitude', message: expect.any(String) }, { path: 'longitude', message: expect.any(String) }]
    })
    expectError(await post('image', { to: PHONE.P, image: 'this is not base64!' }), 400, { code: 'validation_failed', message: 'image: not valid base64 (nor a data URL or an http(s) URL)' })
    expectError(await post('image', { to: PHONE.P, image: PDF.toString('base64') }), 400, { code: 'validation_failed', message: /unsupported image type application\/pdf/ })
    // a multipart upload: fields checked like JSON; a file in another part; a body that is neither JSON nor multipart
    const noTo = await api.admin('POST', `${S}/messages/image`, multipart({ caption: 'x' }, { name: 'a.jpg', type: 'image/jpeg', bytes: JPEG }))
    expectError(noTo, 400, { code: 'validation_failed', message: 'invalid request', details: [{ path: 'to', message: expect.any(String) }] })
    const noFile = await api.admin('POST', `${S}/messages/image`, multipart({ to: PHONE.P }))
    expectError(noFile, 400, { code: 'validation_failed', message: 'invalid request', details: [{ path: 'image', message: expect.any(String) }] })
    const wrongPart = await api.admin('POST', `${S}/messages/image`, multipart({ to: PHONE.P }, { field: 'photo', name: 'a.jpg', type: 'image/jpeg', bytes: JPEG }))
    expectError(wrongPart, 400, { code: 'validation_failed', message: 'invalid request', details: [{ path: 'photo', message: 'the one file goes in the part named "file"' }] })
    expectError(await api.admin('POST', `${S}/messages/text`, multipart({ to: PHONE.P, text: 'x' })), 415,
      { code: 'unsupported_media_type', message: 'the request body must be JSON (Content-Type: application/json)' })
    expectError(await api.admin('POST', `${S}/messages/image`, { raw: 'x', headers: { 'content-type': 'text/plain' } }), 415,
      { code: 'unsupported_media_type', message: 'the request body must be JSON (Content-Type: application/json) or multipart/form-data' })
    expect(api.messageRows()).toBe(before)
    expect(phone().inbox.length).toBe(inbox)
  })

  it('an upload or JSON body over the body limit is a 413 and writes nothing', async () => {
    const small = await startLinkedApi(sim, {}, { bodyLimit: '2kb' })
    try {
      // the small app shares nothing with the big one; its own store is empty and stays so
      const big = Buffer.concat([JPEG, Buffer.alloc(4096)])
      const upload = await small.admin('POST', '/api/v1/sessions/idle/messages/image', multipart({ to: PHONE.P }, { name: 'big.jpg', type: 'image/jpeg', bytes: big }))
      expectError(upload, 413, { code: 'payload_too_large', message: 'the request body is larger than 2kb' })
      const json = await small.admin('POST', '/api/v1/sessions/idle/messages/image', { body: { to: PHONE.P, image: big.toString('base64') } })
      expectError(json, 413, { code: 'payload_too_large', message: 'the request body is larger than 2kb' })
      const picture = await small.admin('PUT', '/api/v1/sessions/idle/groups/120363000000000001@g.us/picture', multipart({}, { name: 'big.jpg', type: 'image/jpeg', bytes: big }))
      expectError(picture, 413, { code: 'payload_too_large', message: 'the request body is larger than 2kb' })
      expect(small.messageRows()).toBe(0)
    } finally {
      await small.stop()
    }
  })
})
