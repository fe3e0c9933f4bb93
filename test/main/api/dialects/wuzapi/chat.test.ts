/**
 * The wuzapi dialect's chat endpoints against the simulator, each from the seed's curl example with only the base
 * URL, the token and the phone numbers changed: every send reaches the virtual phone (content, caption, bytes),
 * replies quote, presence and read receipts reach another session, reactions land, the four downloads decrypt what
 * the phone received. Errors come in wuzapi's shape and write nothing.
 */
import { createDecipheriv } from 'node:crypto'
import { type BaileysEventMap, downloadMediaMessage, getMediaKeys, type WAMessage, type WASocket } from '@whiskeysockets/baileys'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { downloadMediaDescriptor } from '../../../../../src/main/operations/index.js'
import { type PhoneMessage, simulatorSocketOptions, startSimulator, type Simulator } from '../../../../../src/sim/index.js'
import { JPEG, MP4, OGG, PDF, WEBP } from '../../../operations/fixture.js'
import { ADMIN_TOKEN } from '../../api-fixture.js'
import { type LinkedApi, startLinkedApi } from '../../linked-fixture.js'
import { expectData, expectWuzapiError, RFC3339, wuzapiClient } from './fixture.js'

const PHONE = { A: '15550021001', B: '15550021002', P: '15550021009', NOBODY: '15550021099' } as const
const pn = (phone: string) => `${phone}@s.whatsapp.net`
const dataUrl = (mime: string, bytes: Buffer) => `data:${mime};base64,${bytes.toString('base64')}`
const b64 = (bytes: Uint8Array | null | undefined) => Buffer.from(bytes ?? []).toString('base64')

/** A media key other than the file's under which its ciphertext still decrypts with valid PKCS#7 padding. */
async function keyWithValidPadding(ciphertext: Buffer): Promise<Buffer> {
  for (let n = 1; ; n++) {
    const key = Buffer.alloc(32)
    key.writeUInt32BE(n)
    const { cipherKey, iv } = await getMediaKeys(key, 'image')
    try {
      const decipher = createDecipheriv('aes-256-cbc', cipherKey, iv)
      decipher.update(ciphertext)
      decipher.final()
      return key
    } catch {
      // bad padding under this key: try the next
    }
  }
}

/** Resolves once Bob's session sees Alice's presence (or chat presence) become `state`. */
function presenceSeenBy(bob: Pick<WASocket, 'ev'>, state: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => { bob.ev.off('presence.update', listener); reject(new Error(`Bob did not see ${state}`)) }, 10_000)
    const listener = (u: BaileysEventMap['presence.update']) => {
      if (u.id === pn(PHONE.A) && u.presences[pn(PHONE.A)]?.lastKnownPresence === state) { clearTimeout(timer); bob.ev.off('presence.update', listener); resolve() }
    }
    bob.ev.on('presence.update', listener)
  })
}

describe('the wuzapi chat endpoints', () => {
  let sim: Simulator
  let api: LinkedApi
  let wz: ReturnType<typeof wuzapiClient>
  const phone = () => sim.account(PHONE.P).phoneDevice
  const phoneBytes = (got: PhoneMessage) => downloadMediaMessage(
    { key: { id: got.id }, message: got.message } as WAMessage, 'buffer',
    { options: { dispatcher: simulatorSocketOptions(sim.info()).mediaDispatcher } as RequestInit }
  )
  const alice = (path: string, body?: unknown) => wz('POST', path, { token: api.tokens.alice, body })

  beforeAll(async () => {
    sim = await startSimulator()
    api = await startLinkedApi(sim, { alice: { phone: PHONE.A, name: 'Alice' }, bob: { phone: PHONE.B, name: 'Bob' } }, { bodyLimit: '1mb' })
    wz = wuzapiClient(api)
    await sim.createAccount(PHONE.P, 'Pat')
  })
  afterAll(async () => {
    await api?.stop()
    await sim?.stop()
  })

  it('sends a text (seed example) and a reply; the phone receives both, the reply quoting', async () => {
    const answer = await alice('/chat/send/text', { Phone: PHONE.P, Body: 'Hellow Meow', Id: '90B2F8B13FAC8A9CF6B06E99C7834DC5' })
    const data = expectData(answer)
    expect(Object.keys(data).sort()).toEqual(['Details', 'Id', 'Timestamp'])
    // the caller-chosen Id is the message's id on WhatsApp too; a second send with it is refused
    expect(data).toMatchObject({ Details: 'Sent', Id: '90B2F8B13FAC8A9CF6B06E99C7834DC5', Timestamp: expect.stringMatching(RFC3339) })
    expect(await phone().waitForMessage(m => m.id === data.Id)).toMatchObject({ from: pn(PHONE.A), text: 'Hellow Meow' })
    const rows = api.messageRows()
    expectWuzapiError(await alice('/chat/send/text', { Phone: PHONE.P, Body: 'again', Id: '90B2F8B13FAC8A9CF6B06E99C7834DC5' }), 409, 'a message with id 90B2F8B13FAC8A9CF6B06E99C7834DC5 exists')
    expect(api.messageRows()).toBe(rows)

    const reply = expectData(await alice('/chat/send/text', { Phone: PHONE.P, Body: 'Ditto', ContextInfo: { StanzaId: data.Id, Participant: pn(PHONE.A) } }))
    const got = await phone().waitForMessage(m => m.id === reply.Id)
    expect(got.text).toBe('Ditto')
    expect(got.message.extendedTextMessage?.contextInfo?.stanzaId).toBe(data.Id)
  })

  it('takes field names in any case and the token in Authorization or ?token=, as wuzapi does', async () => {
    const viaAuthorization = await wz('POST', '/chat/send/text', { headers: { authorization: api.tokens.alice }, body: { phone: PHONE.P, BODY: 'any case' } })
    const id = expectData(viaAuthorization).Id
    expect((await phone().waitForMessage(m => m.id === id)).text).toBe('any case')
    const viaQuery = await wz('POST', `/chat/send/text?token=${api.tokens.alice}`, { body: { Phone: `+${PHONE.P}`, Body: 'query token' } })
    expect((await phone().waitForMessage(m => m.id === expectData(viaQuery).Id)).from).toBe(pn(PHONE.A))
  })

  it('selects the session by its token: Bob\'s token sends from Bob', async () => {
    const data = expectData(await wz('POST', '/chat/send/text', { token: api.tokens.bob, body: { Phone: PHONE.P, Body: 'from Bob' } }))
    expect(await phone().waitForMessage(m => m.id === data.Id)).toMatchObject({ from: pn(PHONE.B), text: 'from Bob' })
  })

  it('sends a template as one text message with its buttons and footer (what Baileys 7 can deliver)', async () => {
    const data = expectData(await alice('/chat/send/template', {
      Phone: PHONE.P, Content: 'Template content', Footer: 'Some footer text',
      Buttons: [{ DisplayText: 'Yes', Type: 'quickreply' }, { DisplayText: 'No', Type: 'quickreply' },
        { DisplayText: 'Visit Site', Type: 'url', Url: 'https://www.fop2.com' }, { DisplayText: 'Llamame', Type: 'call', PhoneNumber: '1155554444' }]
    }))
    const got = await phone().waitForMessage(m => m.id === data.Id)
    expect(got.text).toBe('Template content\n\n• Yes\n• No\n• Visit Site: https://www.fop2.com\n• Llamame: +1155554444\n\n_Some footer text_')
  })

  it('sends audio (a voice note), image, document, video and sticker; the phone gets the bytes', async () => {
    const audio = expectData(await alice('/chat/send/audio', { Phone: PHONE.P, Audio: dataUrl('audio/ogg', OGG) }))
    const gotAudio = await phone().waitForMessage(m => m.id === audio.Id)
    expect(gotAudio.message.audioMessage).toMatchObject({ ptt: true, mimetype: 'audio/ogg; codecs=opus' })
    expect(await phoneBytes(gotAudio)).toEqual(OGG)

    const image = expectData(await alice('/chat/send/image', { Phone: PHONE.P, Caption: 'Look at this', Image: dataUrl('image/jpeg', JPEG) }))
    const gotImage = await phone().waitForMessage(m => m.id === image.Id)
    expect(gotImage).toMatchObject({ type: 'image', caption: 'Look at this' })
    expect(await phoneBytes(gotImage)).toEqual(JPEG)

    const doc = expectData(await alice('/chat/send/document', { Phone: PHONE.P, FileName: 'hola.txt', Document: 'data:application/octet-stream;base64,aG9sYSBxdWUgdGFsCg==' }))
    const gotDoc = await phone().waitForMessage(m => m.id === doc.Id)
    expect(gotDoc.message.documentMessage).toMatchObject({ fileName: 'hola.txt', mimetype: 'text/plain' })
    expect((await phoneBytes(gotDoc)).toString()).toBe('hola que tal\n')

    const video = expectData(await alice('/chat/send/video', { Phone: PHONE.P, Caption: 'Look at this', Video: dataUrl('video/mp4', MP4) }))
    const gotVideo = await phone().waitForMessage(m => m.id === video.Id)
    expect(gotVideo).toMatchObject({ type: 'video', caption: 'Look at this' })
    expect(await phoneBytes(gotVideo)).toEqual(MP4)

    const sticker = expectData(await alice('/chat/send/sticker', { Phone: PHONE.P, PngThumbnail: 'VBORgoAANSU=', Sticker: dataUrl('image/webp', WEBP) }))
    const gotSticker = await phone().waitForMessage(m => m.id === sticker.Id)
    expect(gotSticker.type).toBe('sticker')
    expect(await phoneBytes(gotSticker)).toEqual(WEBP)
  })

  it('sends a location and a contact card (seed examples)', async () => {
    const location = expectData(await alice('/chat/send/location', { Latitude: 48.858370, Longitude: 2.294481, Phone: PHONE.P, Name: 'Paris' }))
    expect((await phone().waitForMessage(m => m.id === location.Id)).message.locationMessage).toMatchObject({ degreesLatitude: 48.85837, degreesLongitude: 2.294481, name: 'Paris' })

    const vcard = 'BEGIN:VCARD\nVERSION:3.0\nN:Doe;John;;;\nFN:John Doe\nORG:Example.com Inc.;\nTITLE:Imaginary test person\nEMAIL;type=INTERNET;type=WORK;type=pref:johnDoe@example.org\nTEL;type=WORK;type=pref:+1 617 555 1212\nTEL;type=WORK:+1 (617) 555-1234\nTEL;type=CELL:+1 781 555 1212\nTEL;type=HOME:+1 202 555 1212\nitem1.ADR;type=WORK:;;2 Enterprise Avenue;Worktown;NY;01111;USA\nitem1.X-ABADR:us\nitem2.ADR;type=HOME;type=pref:;;3 Acacia Avenue;Hoitem2.X-ABADR:us\nEND:VCARD'
    const contact = expectData(await alice('/chat/send/contact', { Phone: PHONE.P, Name: 'Casa', Vcard: vcard }))
    const card = (await phone().waitForMessage(m => m.id === contact.Id)).message.contactMessage
    expect(card?.displayName).toBe('Casa')
    // sent as given, as wuzapi does
    expect(card?.vcard).toBe(vcard)
  })

  it('shows typing and recording to another session (chat presence)', async () => {
    const seen = (state: string) => presenceSeenBy(api.harness.host.sessions.get('bob').socket!, state)
    const typing = seen('composing')
    expect(expectData(await alice('/chat/presence', { Phone: PHONE.B, State: 'composing', Media: '' }))).toEqual({ Details: 'Chat presence set successfuly' })
    await typing
    const recording = seen('recording')
    expectData(await alice('/chat/presence', { Phone: PHONE.B, State: 'composing', Media: 'audio' }))
    await recording
    expectWuzapiError(await alice('/chat/presence', { Phone: PHONE.B, State: 'dancing' }), 400, 'Invalid State: use "composing" or "paused"')
  })

  it('marks messages read: the sender gets the read receipt (the seed\'s JSON fixed; as printed it is malformed)', async () => {
    const { id } = await sim.sendText(PHONE.P, PHONE.A, 'read me')
    await api.harness.waitFor('message', e => e.sessionId === 'alice' && e.id === id)
    const printed = '{"Id":["' + id + '"]","Chat":"' + PHONE.P + '.0:0@s.whatsapp.net"}'
    expectWuzapiError(await wz('POST', '/chat/markread', { token: api.tokens.alice, raw: printed, headers: { 'content-type': 'application/json' } }), 400, 'Could not decode Payload')

    const fromBob = await api.harness.host.sessions.get('bob').socket!.sendMessage(pn(PHONE.A), { text: 'Bob asks' })
    await api.harness.waitFor('message', e => e.sessionId === 'alice' && e.id === fromBob!.key.id)
    const read = await alice('/chat/markread', { Id: [fromBob!.key.id], Chat: `${PHONE.B}.0:0@s.whatsapp.net` })
    expect(expectData(read)).toEqual({ Details: 'Message(s) marked as read' })
    await api.harness.waitFor('message_ack', e => e.sessionId === 'bob' && e.id === fromBob!.key.id && e.status >= 4)
    expect(expectData(await alice('/chat/markread', { Id: [id], ChatPhone: PHONE.P }))).toEqual({ Details: 'Message(s) marked as read' })
  })

  it('reacts to a received message and to its own (the "me:" prefix); the phone gets the reactions', async () => {
    const { id } = await sim.sendText(PHONE.P, PHONE.A, 'react to me')
    await api.harness.waitFor('message', e => e.sessionId === 'alice' && e.id === id)
    const heart = expectData(await alice('/chat/react', { Phone: PHONE.P, Body: '❤️', Id: id }))
    expect(heart).toMatchObject({ Details: 'Sent', Id: id, Timestamp: expect.stringMatching(RFC3339) })
    await phone().waitForMessage(m => m.type === 'reaction' && m.message.reactionMessage?.key?.id === id && m.text === '❤️')

    const own = expectData(await alice('/chat/send/text', { Phone: PHONE.P, Body: 'mine' }))
    await phone().waitForMessage(m => m.id === own.Id)
    expectData(await alice('/chat/react', { Phone: PHONE.P, Body: '👍', Id: `me:${own.Id}` }))
    await phone().waitForMessage(m => m.type === 'reaction' && m.message.reactionMessage?.key?.id === own.Id && m.text === '👍')
    expectData(await alice('/chat/react', { Phone: PHONE.P, Body: 'remove', Id: `me:${own.Id}` }))
    await phone().waitForMessage(m => m.type === 'reaction' && m.message.reactionMessage?.key?.id === own.Id && m.text === '')
  })

  it('edits and deletes its own message; Bob\'s Baileys client applies the edit and the revoke', async () => {
    const bob = api.harness.host.sessions.get('bob').socket!
    /** Bob's next update of message `id` that `check` accepts */
    const bobUpdates = (id: string, check: (u: BaileysEventMap['messages.update'][number]['update']) => boolean) => new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => { bob.ev.off('messages.update', listener); reject(new Error(`Bob saw no matching update of ${id}`)) }, 10_000)
      const listener = (list: BaileysEventMap['messages.update']) => {
        if (list.some(u => u.key.id === id && check(u.update))) { clearTimeout(timer); bob.ev.off('messages.update', listener); resolve() }
      }
      bob.ev.on('messages.update', listener)
    })
    const own = expectData(await alice('/chat/send/text', { Phone: PHONE.B, Body: 'typo' }))
    await api.harness.waitFor('message', e => e.sessionId === 'bob' && e.id === own.Id)
    const edited = bobUpdates(own.Id, u => {
      const message = u.message?.editedMessage?.message
      return (message?.conversation ?? message?.extendedTextMessage?.text) === 'fixed'
    })
    const edit = expectData(await alice('/chat/send/edit', { Phone: PHONE.B, Body: 'fixed', Id: own.Id }))
    expect(edit).toMatchObject({ Details: 'Sent', Id: own.Id, Timestamp: expect.stringMatching(RFC3339) })
    await edited
    const revoked = bobUpdates(own.Id, u => u.messageStubType === 1)
    const deleted = expectData(await alice('/chat/delete', { Phone: PHONE.B, Id: own.Id }))
    expect(deleted).toMatchObject({ Details: 'Deleted', Id: own.Id })
    await revoked
    const { id: theirs } = await sim.sendText(PHONE.P, PHONE.A, 'not yours')
    await api.harness.waitFor('message', e => e.sessionId === 'alice' && e.id === theirs)
    expectWuzapiError(await alice('/chat/send/edit', { Phone: PHONE.P, Body: 'mine now', Id: theirs }), 400, /only your own messages can be edited/)
  })

  it('sets the session\'s presence; another session sees it', async () => {
    const bob = api.harness.host.sessions.get('bob').socket!
    const seen = (state: string) => presenceSeenBy(bob, state)
    const online = seen('available')
    expect(expectData(await wz('POST', '/user/presence', { token: api.tokens.alice, body: { type: 'available' } }))).toEqual({ Details: 'Presence set successfuly' })
    await bob.presenceSubscribe(pn(PHONE.A))
    await online
    const offline = seen('unavailable')
    expectData(await wz('POST', '/user/presence', { token: api.tokens.alice, body: { type: 'unavailable' } }))
    await offline
    expectWuzapiError(await wz('POST', '/user/presence', { token: api.tokens.alice, body: { type: 'busy' } }), 400, "Invalid presence type. Allowed values: 'available', 'unavailable'")
  })

  it('downloads image, video, audio and document by their media descriptors as data URLs', async () => {
    const sends = {
      image: await alice('/chat/send/image', { Phone: PHONE.P, Image: dataUrl('image/jpeg', JPEG) }),
      video: await alice('/chat/send/video', { Phone: PHONE.P, Video: dataUrl('video/mp4', MP4) }),
      audio: await alice('/chat/send/audio', { Phone: PHONE.P, Audio: dataUrl('audio/ogg', OGG) }),
      document: await alice('/chat/send/document', { Phone: PHONE.P, FileName: 'doc.pdf', Document: dataUrl('application/octet-stream', PDF) })
    }
    const expected = { image: JPEG, video: MP4, audio: OGG, document: PDF }
    for (const kind of ['image', 'video', 'audio', 'document'] as const) {
      const got = await phone().waitForMessage(m => m.id === expectData(sends[kind]).Id)
      const media = got.message[`${kind}Message`]!
      const answer = await alice(`/chat/download${kind}`, {
        Url: media.url, DirectPath: media.directPath, MediaKey: b64(media.mediaKey), Mimetype: media.mimetype,
        FileEncSHA256: b64(media.fileEncSha256), FileSHA256: b64(media.fileSha256), FileLength: Number(media.fileLength)
      })
      const data = expectData(answer)
      expect(data).toEqual({ Mimetype: media.mimetype, Data: `data:${media.mimetype};base64,${expected[kind].toString('base64')}` })
    }
  })

  it('refuses a download with a wrong key or hash, or without its fields, in wuzapi\'s shape', async () => {
    const sent = expectData(await alice('/chat/send/image', { Phone: PHONE.P, Image: dataUrl('image/jpeg', JPEG) }))
    const media = (await phone().waitForMessage(m => m.id === sent.Id)).message.imageMessage!
    const descriptor = { Url: media.url, DirectPath: media.directPath, MediaKey: b64(media.mediaKey), Mimetype: 'image/jpeg', FileSHA256: b64(media.fileSha256), FileLength: Number(media.fileLength) }
    expectWuzapiError(await alice('/chat/downloadimage', { ...descriptor, MediaKey: Buffer.alloc(32, 1).toString('base64') }), 500, /could not download the media|does not match/)
    expectWuzapiError(await alice('/chat/downloadimage', { ...descriptor, FileSHA256: Buffer.alloc(32, 2).toString('base64') }), 400, 'the downloaded media does not match fileSha256 (wrong media key or descriptor)')
    // a wrong key that happens to decrypt to valid padding (as any bytes from any https server can be made to) gets
    // nothing: the file's MAC decides, so the download is no way to read what is not WhatsApp media
    const encrypted = Buffer.from(await (await fetch(media.url!, { dispatcher: simulatorSocketOptions(sim.info()).mediaDispatcher } as RequestInit)).arrayBuffer())
    const paddedKey = await keyWithValidPadding(encrypted.subarray(0, encrypted.length - (encrypted.length % 16)))
    expectWuzapiError(await alice('/chat/downloadimage', { Url: media.url, DirectPath: media.directPath, MediaKey: paddedKey.toString('base64') }), 500,
      'could not download the media: its MAC does not match (wrong media key, or not WhatsApp media)')
    // media larger than the limit is not read to the end
    await expect(downloadMediaDescriptor(api.harness.host, 'alice', { kind: 'image', url: media.url!, mediaKey: media.mediaKey! }, { maxMediaBytes: 100 }))
      .rejects.toThrow('the media is larger than 100 bytes')
    expectWuzapiError(await alice('/chat/downloadimage', { Url: media.url }), 400, 'Missing MediaKey in Payload')
    expectWuzapiError(await alice('/chat/downloadimage', { MediaKey: descriptor.MediaKey }), 400, 'Missing Url in Payload')
    expectWuzapiError(await alice('/chat/downloadimage', { ...descriptor, MediaKey: 'AAAA' }), 400, 'mediaKey: must be 32 bytes')
    expectWuzapiError(await wz('POST', '/chat/downloadimage', { token: api.tokens.idle, body: descriptor }), 500, 'No session')
  })

  it('answers bad, missing and admin tokens with 401 and sends nothing', async () => {
    const rows = api.messageRows()
    const body = { Phone: PHONE.P, Body: 'nope' }
    expectWuzapiError(await wz('POST', '/chat/send/text', { body }), 401, 'Unauthorized')
    expectWuzapiError(await wz('POST', '/chat/send/text', { token: 'not-a-token-of-any-session', body }), 401, 'Unauthorized')
    expectWuzapiError(await wz('POST', '/chat/send/text', { token: ADMIN_TOKEN, body }), 401, 'Unauthorized')
    expectWuzapiError(await wz('POST', '/chat/send/text', { token: 'x'.repeat(600), body }), 401, 'Unauthorized')
    expect(api.messageRows()).toBe(rows)
  })

  it('answers an unlinked session, malformed and incomplete input, unknown numbers and big bodies in wuzapi\'s shape, writing nothing', async () => {
    const rows = api.messageRows()
    expectWuzapiError(await wz('POST', '/chat/send/text', { token: api.tokens.idle, body: { Phone: PHONE.P, Body: 'x' } }), 500, 'No session')
    expectWuzapiError(await wz('POST', '/chat/send/text', { token: api.tokens.alice, raw: '{"Phone":', headers: { 'content-type': 'application/json' } }), 400, 'Could not decode Payload')
    expectWuzapiError(await alice('/chat/send/text', { Body: 'x' }), 400, 'Missing Phone in Payload')
    expectWuzapiError(await alice('/chat/send/text', { Phone: PHONE.P }), 400, 'Missing Body in Payload')
    expectWuzapiError(await alice('/chat/send/text', { Phone: 12345, Body: 'x' }), 400, /^Could not decode Payload: Phone: /)
    expectWuzapiError(await alice('/chat/send/text', { Phone: 'not a number', Body: 'x' }), 400, 'Could not parse Phone')
    expectWuzapiError(await alice('/chat/send/text', { Phone: PHONE.NOBODY, Body: 'x' }), 404, `${PHONE.NOBODY} is not on WhatsApp`)
    expectWuzapiError(await alice('/chat/send/text', { Phone: PHONE.P, Body: 'x', ContextInfo: { StanzaId: 'NO-SUCH-MESSAGE' } }), 404, 'message NO-SUCH-MESSAGE not found')
    expectWuzapiError(await alice('/chat/send/image', { Phone: PHONE.P, Caption: 'Look at this', Image: '...' }), 400, /^image: not valid base64/)
    expectWuzapiError(await alice('/chat/send/document', { Phone: PHONE.P, Document: 'data:application/octet-stream;base64,aG9sYQ==' }), 400, 'Missing FileName in Payload')
    expectWuzapiError(await alice('/chat/send/location', { Phone: PHONE.P, Longitude: 2.29 }), 400, 'Missing Latitude in Payload')
    expectWuzapiError(await alice('/chat/send/contact', { Phone: PHONE.P, Name: 'Casa', Vcard: 'BEGIN:VCARD\nEND:VCARD' }), 400, 'Could not find a phone number (TEL) in Vcard')
    expectWuzapiError(await alice('/chat/react', { Phone: PHONE.P, Body: '❤️', Id: 'NOPE' }), 404, /message NOPE not found/)
    expectWuzapiError(await alice('/chat/send/image', { Phone: PHONE.P, Image: dataUrl('image/jpeg', Buffer.alloc(1_200_000, 1)) }), 413, 'Payload too large')
    expect(api.messageRows()).toBe(rows)
  })

  it('answers unknown paths 404 and wrong methods 405 in wuzapi\'s shape', async () => {
    expectWuzapiError(await wz('GET', '/chat/send/text', { token: api.tokens.alice }), 405, 'Method Not Allowed')
    expectWuzapiError(await wz('POST', '/chat/send/nothing', { token: api.tokens.alice, body: {} }), 404, 'Not Found')
  })
})
