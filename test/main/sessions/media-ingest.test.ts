/**
 * Media of stored messages saved to disk: every kind received from a linked client and a virtual phone, and one sent
 * by the session itself, lands under sessions/<id>/media with the message's media_path set, thumbnails under thumb/,
 * profile pictures under profile/; the storage statistics then equal a walk of the folder. A download that fails is
 * logged and stops nothing.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { proto, type WAMessage } from '@whiskeysockets/baileys'
import pino from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cachedProfilePicture, cacheProfilePicture, mediaFileName, resolveMediaPath } from '../../../src/main/sessions/media-ingest.js'
import { startSimulator, type Simulator } from '../../../src/sim/index.js'
import { linkByQr, type TestClient } from '../../support/baileys-client.js'
import { HostHarness, tempDir } from '../../support/host-harness.js'

const PHONE = { A: '15552220001', B: '15552220002', P: '15552220003' } as const
const pn = (phone: string) => `${phone}@s.whatsapp.net`

/** 8×8 JPEG */
const JPEG = Buffer.from(
  '/9j/2wBDABQODxIPDRQSEBIXFRQYHjIhHhwcHj0sLiQySUBMS0dARkVQWnNiUFVtVkVGZIhlbXd7gYKBTmCNl4x9lnN+gXz/2wBDARUXFx4aHjshITt8U0ZTfHx8fHx8' +
  'fHx8fHx8fHx8fHx8fHx8fHx8fHx8fHx8fHx8fHx8fHx8fHx8fHx8fHx8fHz/wAARCAAIAAgDASIAAhEBAxEB/8QAFQABAQAAAAAAAAAAAAAAAAAAAAL/xAAUEAEAAAAAAAAA' +
  'AAAAAAAAAAAA/8QAFQEBAQAAAAAAAAAAAAAAAAAAAQX/xAAUEQEAAAAAAAAAAAAAAAAAAAAA/9oADAMBAAIRAxEAPwCQAjv/2Q==',
  'base64'
)
const THUMB = JPEG.subarray(0, 100)
const bytesOf = (label: string, size: number) => Buffer.concat([Buffer.from(label), Buffer.alloc(size, label.length)])
const VIDEO = bytesOf('video/mp4', 3000)
const AUDIO = bytesOf('audio/ogg', 1500)
const DOCUMENT = bytesOf('%PDF-1.4 document', 2048)
const STICKER = Buffer.concat([Buffer.from('RIFF'), Buffer.from([0x20, 0, 0, 0]), Buffer.from('WEBPVP8 '), Buffer.alloc(20, 7)])
const PHONE_IMAGE = Buffer.concat([JPEG, Buffer.alloc(500, 1)])
const OUT_IMAGE = Buffer.concat([JPEG, Buffer.alloc(77, 2)])

/** every regular file below `dir`, per top-level folder */
function walk(dir: string): { bytes: number; files: number; byFolder: Record<string, { bytes: number; files: number }> } {
  const total = { bytes: 0, files: 0, byFolder: {} as Record<string, { bytes: number; files: number }> }
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue
    const path = join(entry.parentPath, entry.name)
    const size = statSync(path).size
    const folder = path.slice(dir.length + 1).split('/')[0]
    total.bytes += size
    total.files++
    const f = (total.byFolder[folder] ??= { bytes: 0, files: 0 })
    f.bytes += size
    f.files++
  }
  return total
}

async function until<T>(check: () => T | undefined | null | false, what: string, timeoutMs = 15_000): Promise<T> {
  const end = Date.now() + timeoutMs
  for (;;) {
    const value = check()
    if (value) return value
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise(resolve => setTimeout(resolve, 20))
  }
}

describe('media of stored messages saved to disk', () => {
  let sim: Simulator
  let B: TestClient
  let h: HostHarness
  let dataDir: string
  const cleanups: (() => Promise<void>)[] = []

  beforeAll(async () => {
    sim = await startSimulator()
    const dir = await tempDir()
    dataDir = dir.path
    h = await HostHarness.start(sim, dataDir)
    cleanups.push(dir.remove, () => h.stop())
    h.host.sessions.create({ id: 'media' })
    ;[B] = await Promise.all([linkByQr(sim, PHONE.B, 'Bob'), h.linkByQr(sim, 'media', PHONE.A, 'Alice'), sim.createAccount(PHONE.P, 'Pat')])
    cleanups.push(async () => B.stop())
  })

  afterAll(async () => {
    for (const c of cleanups.reverse()) await c()
    await sim?.stop()
  })

  it('saves every media kind, received and sent, with media_path, thumbnails and matching storage statistics', async () => {
    const sends: { content: Parameters<NonNullable<TestClient['sock']>['sendMessage']>[1]; bytes: Buffer; thumb: boolean }[] = [
      { content: { image: JPEG, caption: 'an image', jpegThumbnail: THUMB.toString('base64') }, bytes: JPEG, thumb: true },
      { content: { video: VIDEO, mimetype: 'video/mp4', jpegThumbnail: THUMB.toString('base64') }, bytes: VIDEO, thumb: true },
      { content: { audio: AUDIO, mimetype: 'audio/ogg; codecs=opus', ptt: true, seconds: 1 }, bytes: AUDIO, thumb: false },
      { content: { document: DOCUMENT, mimetype: 'application/pdf', fileName: 'report.pdf' }, bytes: DOCUMENT, thumb: false },
      { content: { sticker: STICKER }, bytes: STICKER, thumb: false }
    ]
    const expected: { chat: string; id: string; fromMe: boolean; bytes: Buffer; thumb: boolean; ext: string }[] = []
    for (const [i, s] of sends.entries()) {
      const sent = await B.sock!.sendMessage(pn(PHONE.A), s.content)
      expected.push({ chat: pn(PHONE.B), id: sent!.key.id!, fromMe: false, bytes: s.bytes, thumb: s.thumb, ext: ['jpg', 'mp4', 'ogg', 'pdf', 'webp'][i] })
    }
    // from a virtual phone (its image carries an empty thumbnail: none is written)
    const { id: phoneId } = await sim.sendImage(PHONE.P, PHONE.A, { bytes: PHONE_IMAGE, mimetype: 'image/jpeg', caption: 'from a phone' })
    expected.push({ chat: pn(PHONE.P), id: phoneId, fromMe: false, bytes: PHONE_IMAGE, thumb: false, ext: 'jpg' })
    // sent by the session itself: stored as fromMe, and its file kept the same way
    const out = await h.host.sessions.get('media').socket!.sendMessage(pn(PHONE.B), { image: OUT_IMAGE, mimetype: 'image/jpeg', jpegThumbnail: THUMB.toString('base64') })
    expected.push({ chat: pn(PHONE.B), id: out!.key.id!, fromMe: true, bytes: OUT_IMAGE, thumb: true, ext: 'jpg' })

    for (const e of expected) {
      const record = await until(() => {
        const r = h.host.store.messages.get('media', e.chat, e.id, e.fromMe)
        return r?.mediaPath ? r : undefined
      }, `media of ${e.id}`)
      expect(record.mediaPath).toBe(`sessions/media/media/${e.id}.${e.ext}`)
      expect(readFileSync(resolveMediaPath(h.host.store, record.mediaPath!))).toEqual(e.bytes)
    }
    await h.host.sessions.media.idle()
    const thumbs = readdirSync(join(dataDir, 'sessions', 'media', 'thumb')).sort()
    expect(thumbs).toEqual(expected.filter(e => e.thumb).map(e => `${e.id}.jpg`).sort())
    for (const name of thumbs) expect(readFileSync(join(dataDir, 'sessions', 'media', 'thumb', name))).toEqual(THUMB)

    // a profile picture fetched by someone is cached under profile/
    const picture = await cacheProfilePicture(h.host.store, 'media', `${PHONE.B}:3@s.whatsapp.net`, JPEG)
    expect(picture).toBe(join(dataDir, 'sessions', 'media', 'profile', `${PHONE.B}_s.whatsapp.net.jpg`))
    expect(cachedProfilePicture(h.host.store, 'media', pn(PHONE.B))).toBe(picture)
    expect(cachedProfilePicture(h.host.store, 'media', pn(PHONE.P))).toBeUndefined()

    // the statistics are what is on disk, and what was sent
    const stats = await h.host.store.storageStats('media')
    const disk = walk(join(dataDir, 'sessions', 'media'))
    expect({ bytes: stats.bytes, files: stats.files }).toEqual({ bytes: disk.bytes, files: disk.files })
    for (const sub of stats.subs) expect({ bytes: sub.bytes, files: sub.files }).toEqual(disk.byFolder[sub.name] ?? { bytes: 0, files: 0 })
    const sum = (list: { length: number }[]) => list.reduce((n, b) => n + b.length, 0)
    expect(stats.subs).toEqual([
      { name: 'media', bytes: sum(expected.map(e => e.bytes)), files: expected.length },
      { name: 'profile', bytes: JPEG.length, files: 1 },
      { name: 'thumb', bytes: THUMB.length * expected.filter(e => e.thumb).length, files: expected.filter(e => e.thumb).length }
    ])
    expect(stats.bytesReceived).toBeGreaterThan(0)
    expect(stats.bytesSent).toBeGreaterThan(0)

    // a redelivered message whose file is there is not downloaded again
    const first = expected[0]
    const path = join(dataDir, 'sessions', 'media', 'media', `${first.id}.jpg`)
    const before = statSync(path).mtimeMs
    const again = proto.WebMessageInfo.decode(h.host.store.messages.get('media', first.chat, first.id, false)!.raw!) as WAMessage
    h.host.sessions.media.enqueue('media', again)
    await h.host.sessions.media.idle()
    expect(statSync(path).mtimeMs).toBe(before)

    // clear drops the files and the paths; the statistics follow
    await h.host.sessions.clear('media')
    expect(h.host.store.messages.get('media', first.chat, first.id, false)?.mediaPath).toBeNull()
    const cleared = await h.host.store.storageStats('media')
    expect(cleared.subs.map(s => s.files)).toEqual([0, 0, 0])
    expect(cleared.bytes).toBe(walk(join(dataDir, 'sessions', 'media')).bytes)
  })

  it('names files by message id and type, never outside the folder', () => {
    expect(mediaFileName('3EB0ABC', 'imageMessage', { mimetype: 'image/jpeg' })).toBe('3EB0ABC.jpg')
    expect(mediaFileName('3EB0ABC', 'audioMessage', { mimetype: 'audio/ogg; codecs=opus' })).toBe('3EB0ABC.ogg')
    expect(mediaFileName('X', 'documentMessage', { mimetype: 'application/x-thing', fileName: 'data.CSV' })).toBe('X.csv')
    expect(mediaFileName('X', 'documentMessage', { mimetype: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document' })).toBe('X.bin')
    expect(mediaFileName('../../etc/passwd', 'stickerMessage', {})).toBe('etc_passwd.webp')
  })

  it('a failed download is logged; the message is stored and announced all the same', async () => {
    const dir = await tempDir()
    const lines: string[] = []
    const info = sim.info()
    // no caPem and no NODE_EXTRA_CA_CERTS: the simulator's media server is not trusted, so every download fails
    const other = await HostHarness.start(sim, dir.path, {
      logger: pino({ level: 'warn' }, { write: (line: string) => { lines.push(line) } }),
      target: { kind: 'simulator', wsUrl: info.wsUrl, rootPublicKey: info.rootPublicKey }
    })
    cleanups.push(async () => { await other.stop(); await dir.remove() })
    other.host.sessions.create({ id: 'untrusting' })
    await other.linkByQr(sim, 'untrusting', '15552220011')
    const { id } = await sim.sendImage(PHONE.P, '15552220011', { bytes: PHONE_IMAGE, mimetype: 'image/jpeg' })
    await other.waitFor('message', e => e.id === id)
    expect(other.host.store.messages.get('untrusting', pn(PHONE.P), id, false)).toMatchObject({ type: 'imageMessage', mediaPath: null })
    const failure = await until(() => lines.map(l => JSON.parse(l)).find(l => l.msg === 'media download failed' && l.id === id), 'the failure log')
    expect(failure).toMatchObject({ session: 'untrusting', type: 'imageMessage', level: 40 })
    await other.host.sessions.media.idle()
    expect((await other.host.store.storageStats('untrusting')).subs.find(s => s.name === 'media')).toMatchObject({ files: 0, bytes: 0 })
    // and the session goes on: a text after it is stored too
    const { id: textId } = await sim.sendText(PHONE.P, '15552220011', 'still here')
    await other.waitFor('message', e => e.id === textId)
  })
})
