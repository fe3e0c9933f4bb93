/**
 * Media operations against the simulator: every kind sent from every input form (Buffer, base64, data URL, a local
 * http URL) reaches the virtual phone as its type with the right mimetype (and, downloaded there, the same bytes);
 * stored media downloads; bad media is refused before anything is sent or stored.
 */
import { downloadMediaMessage, type WAMessage } from '@whiskeysockets/baileys'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ConflictError, NotFoundError, ValidationError } from '../../../src/main/errors.js'
import { createOperations } from '../../../src/main/operations/index.js'
import { type PhoneMessage, simulatorSocketOptions } from '../../../src/sim/index.js'
import { type Fixture, JPEG, MP3, MP4, OGG, PDF, PNG, pn, startFileServer, startFixture, WEBP } from './fixture.js'

const PHONE = { A: '15550007001', P: '15550007009' } as const

describe('operations: media', () => {
  let f: Fixture
  let files: Awaited<ReturnType<typeof startFileServer>>
  const phone = () => f.sim.account(PHONE.P).phoneDevice
  const stored = (id: string) => f.h.host.store.messages.get('alice', pn(PHONE.P), id, true)
  /** what the phone received, downloaded and decrypted with the phone-side message's keys */
  const phoneBytes = (got: PhoneMessage) => downloadMediaMessage(
    { key: { id: got.id }, message: got.message } as WAMessage, 'buffer',
    { options: { dispatcher: simulatorSocketOptions(f.sim.info()).mediaDispatcher } as RequestInit }
  )

  beforeAll(async () => {
    ;[f, files] = await Promise.all([
      startFixture({ alice: { phone: PHONE.A, name: 'Alice' } }),
      startFileServer({
        '/clip.mp4': { body: MP4, type: 'video/mp4' },
        '/docs/report%20Q3.pdf': { body: PDF, type: 'application/pdf' },
        '/untyped.bin': { body: JPEG },
        '/big.jpg': { body: Buffer.concat([JPEG, Buffer.alloc(5000)]), type: 'image/jpeg' }
      })
    ])
    await f.sim.createAccount(PHONE.P, 'Pat')
  })
  afterAll(async () => {
    await files?.close()
    await f?.stop()
  })

  it('sends a JPEG from base64 with a caption; the phone gets an imageMessage with the same bytes', async () => {
    const sent = await f.ops.messages.sendImage('alice', { to: PHONE.P, image: JPEG.toString('base64'), caption: 'a photo' })
    expect(sent.type).toBe('imageMessage')
    const got = await phone().waitForMessage(m => m.id === sent.id)
    expect(got).toMatchObject({ type: 'image', caption: 'a photo' })
    expect(got.message.imageMessage?.mimetype).toBe('image/jpeg')
    expect(await phoneBytes(got)).toEqual(JPEG)
    expect(stored(sent.id)).toMatchObject({ type: 'imageMessage', text: 'a photo' })
  })

  it('sends a PNG from a data URL, and an image fetched from a URL whose server gives no type', async () => {
    const png = await f.ops.messages.sendImage('alice', { to: PHONE.P, image: `data:image/png;base64,${PNG.toString('base64')}` })
    const gotPng = await phone().waitForMessage(m => m.id === png.id)
    expect(gotPng.type).toBe('image')
    expect(gotPng.message.imageMessage?.mimetype).toBe('image/png')
    expect(await phoneBytes(gotPng)).toEqual(PNG)

    const fetched = await f.ops.messages.sendImage('alice', { to: PHONE.P, image: files.url('/untyped.bin') })
    const gotFetched = await phone().waitForMessage(m => m.id === fetched.id)
    expect(gotFetched.message.imageMessage?.mimetype).toBe('image/jpeg')
    expect(await phoneBytes(gotFetched)).toEqual(JPEG)
  })

  it('sends a video fetched from a URL', async () => {
    const sent = await f.ops.messages.sendVideo('alice', { to: PHONE.P, video: files.url('/clip.mp4'), caption: 'a clip' })
    expect(sent.type).toBe('videoMessage')
    const got = await phone().waitForMessage(m => m.id === sent.id)
    expect(got).toMatchObject({ type: 'video', caption: 'a clip' })
    expect(got.message.videoMessage?.mimetype).toBe('video/mp4')
    expect(await phoneBytes(got)).toEqual(MP4)
    expect(stored(sent.id)?.type).toBe('videoMessage')
  })

  it('sends audio from a Buffer and a voice note as OGG/Opus push-to-talk', async () => {
    const audio = await f.ops.messages.sendAudio('alice', { to: PHONE.P, audio: MP3 })
    const gotAudio = await phone().waitForMessage(m => m.id === audio.id)
    expect(gotAudio.type).toBe('audio')
    expect(gotAudio.message.audioMessage).toMatchObject({ mimetype: 'audio/mpeg', ptt: false })
    expect(await phoneBytes(gotAudio)).toEqual(MP3)

    const voice = await f.ops.messages.sendVoice('alice', { to: PHONE.P, audio: OGG.toString('base64') })
    const gotVoice = await phone().waitForMessage(m => m.id === voice.id)
    expect(gotVoice.type).toBe('audio')
    expect(gotVoice.message.audioMessage).toMatchObject({ mimetype: 'audio/ogg; codecs=opus', ptt: true })
    expect(stored(voice.id)?.type).toBe('audioMessage')
  })

  it('sends documents: the file name from the URL or as given, the type from the server or the bytes', async () => {
    const fromUrl = await f.ops.messages.sendDocument('alice', { to: PHONE.P, document: files.url('/docs/report%20Q3.pdf'), caption: 'the report' })
    const gotUrl = await phone().waitForMessage(m => m.id === fromUrl.id)
    expect(gotUrl).toMatchObject({ type: 'document', caption: 'the report' })
    expect(gotUrl.message.documentMessage).toMatchObject({ mimetype: 'application/pdf', fileName: 'report Q3.pdf' })
    expect(await phoneBytes(gotUrl)).toEqual(PDF)

    const named = await f.ops.messages.sendDocument('alice', { to: PHONE.P, document: PDF, fileName: 'invoice.pdf' })
    const gotNamed = await phone().waitForMessage(m => m.id === named.id)
    expect(gotNamed.message.documentMessage).toMatchObject({ mimetype: 'application/pdf', fileName: 'invoice.pdf' })

    const csv = await f.ops.messages.sendDocument('alice', { to: PHONE.P, document: Buffer.from('a,b\n1,2\n').toString('base64'), fileName: 'data.csv' })
    const gotCsv = await phone().waitForMessage(m => m.id === csv.id)
    expect(gotCsv.message.documentMessage).toMatchObject({ mimetype: 'text/csv', fileName: 'data.csv' })
    expect(stored(csv.id)?.type).toBe('documentMessage')
  })

  it('sends a WebP sticker', async () => {
    const sent = await f.ops.messages.sendSticker('alice', { to: PHONE.P, sticker: WEBP.toString('base64') })
    const got = await phone().waitForMessage(m => m.id === sent.id)
    expect(got.type).toBe('sticker')
    expect(got.message.stickerMessage?.mimetype).toBe('image/webp')
    expect(await phoneBytes(got)).toEqual(WEBP)
    expect(stored(sent.id)?.type).toBe('stickerMessage')
  })

  it('downloads the media of stored messages, received and sent', async () => {
    const { id } = await f.sim.sendImage(PHONE.P, PHONE.A, { bytes: JPEG, mimetype: 'image/jpeg', caption: 'from Pat' })
    await f.h.waitFor('message', e => e.id === id)
    const received = await f.ops.messages.downloadMedia('alice', id)
    expect(received).toMatchObject({ mimetype: 'image/jpeg', size: JPEG.length })
    expect(received.bytes).toEqual(JPEG)

    const doc = await f.ops.messages.sendDocument('alice', { to: PHONE.P, document: PDF, fileName: 'mine.pdf' })
    const own = await f.ops.messages.downloadMedia('alice', doc.id)
    expect(own).toMatchObject({ mimetype: 'application/pdf', fileName: 'mine.pdf', size: PDF.length })
    expect(own.bytes).toEqual(PDF)

    const text = await f.ops.messages.sendText('alice', { to: PHONE.P, text: 'no media here' })
    await expect(f.ops.messages.downloadMedia('alice', text.id)).rejects.toThrow(`message ${text.id} has no media`)
    await expect(f.ops.messages.downloadMedia('alice', text.id)).rejects.toThrow(ValidationError)
    await expect(f.ops.messages.downloadMedia('alice', 'NOSUCHMESSAGE')).rejects.toThrow(NotFoundError)
    await expect(f.ops.messages.downloadMedia('nobody', id)).rejects.toThrow(NotFoundError)
    await expect(f.ops.messages.downloadMedia('alice', '../etc/passwd')).rejects.toThrow(ValidationError)
  })

  it('refuses bad media with a clear ValidationError, sending and storing nothing', async () => {
    // Sends return once stored, not once delivered: let what earlier tests sent reach the phone first.
    const sentEarlier = f.h.host.store.messages.list({ sessionId: 'alice', chatJid: pn(PHONE.P), limit: 500 }).filter(m => m.fromMe).map(m => m.messageId)
    await Promise.all(sentEarlier.map(id => phone().waitForMessage(m => m.id === id)))
    const before = f.messageRows()
    const sentBefore = phone().inbox.length
    const image = (image: string | Buffer, extra: Record<string, string> = {}) => f.ops.messages.sendImage('alice', { to: PHONE.P, image, ...extra })
    await expect(image('this is not base64!')).rejects.toThrow('image: not valid base64 (nor a data URL or an http(s) URL)')
    await expect(image('QUJD=A==')).rejects.toThrow(/not valid base64/)
    await expect(image(PDF.toString('base64'))).rejects.toThrow('image: unsupported image type application/pdf (expected JPEG, PNG or WebP)')
    await expect(image(Buffer.from('plain bytes'), { mimetype: 'application/pdf' })).rejects.toThrow(/unsupported image type application\/pdf/)
    await expect(image(Buffer.from('plain bytes'))).rejects.toThrow(/not a recognisable image/)
    await expect(image('data:image/png;base64,@@@')).rejects.toThrow(/data URL's content is not valid base64/)
    await expect(image('ftp://127.0.0.1/x.jpg')).rejects.toThrow(/only http\(s\) URLs/)
    await expect(image(files.url('/missing.jpg'))).rejects.toThrow(/HTTP 404/)
    await expect(image('http://127.0.0.1:1/x.jpg')).rejects.toThrow(/could not fetch/)
    await expect(image(JPEG, { mimetype: 'not a type' })).rejects.toThrow(/^mimetype: /)
    await expect(f.ops.messages.sendSticker('alice', { to: PHONE.P, sticker: PNG })).rejects.toThrow('sticker: unsupported sticker type image/png (expected WebP)')
    await expect(f.ops.messages.sendVideo('alice', { to: PHONE.P, video: JPEG })).rejects.toThrow(/unsupported video type image\/jpeg/)
    await expect(f.ops.messages.sendAudio('alice', { to: PHONE.P, audio: PDF })).rejects.toThrow(/unsupported audio type application\/pdf/)
    await expect(f.ops.messages.sendDocument('alice', { to: PHONE.P, document: '' })).rejects.toThrow(/^document: /)
    // a session that is not linked fails before any fetch; an unknown one likewise
    await expect(f.ops.messages.sendImage('idle', { to: PHONE.P, image: JPEG })).rejects.toThrow(ConflictError)
    await expect(f.ops.messages.sendImage('nobody', { to: PHONE.P, image: JPEG })).rejects.toThrow(NotFoundError)

    // size limits and the fetch timeout, with a small limit
    const strict = createOperations(f.h.host, { maxMediaBytes: 1000, mediaFetchTimeoutMs: 300 })
    await expect(strict.messages.sendImage('alice', { to: PHONE.P, image: Buffer.alloc(1001).toString('base64') })).rejects.toThrow('image: the media is 1001 bytes, more than the limit of 1000')
    await expect(strict.messages.sendImage('alice', { to: PHONE.P, image: Buffer.alloc(1001) })).rejects.toThrow(/more than the limit/)
    await expect(strict.messages.sendImage('alice', { to: PHONE.P, image: files.url('/big.jpg') })).rejects.toThrow(/is \d+ bytes, more than the limit of 1000/)
    await expect(strict.messages.sendImage('alice', { to: PHONE.P, image: files.url('/slow') })).rejects.toThrow('no answer within 300 ms')

    expect(f.messageRows()).toBe(before)
    expect(phone().inbox.length).toBe(sentBefore)
  })
})
