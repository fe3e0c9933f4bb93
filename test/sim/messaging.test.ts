/**
 * One-to-one messaging with two real, unmodified Baileys clients (A and B, each linked by QR to its own number) and
 * the simulator's virtual phones: media of every kind, messages from and to a phone-only contact, the phone and its
 * own linked device, read receipts, reactions, presence and chat state, onWhatsApp, profile pictures and the about
 * text. Every assertion is about what a client or a virtual phone actually received.
 */
import {
  type AnyMessageContent, type BaileysEventMap, type BinaryNode, downloadContentFromMessage, downloadMediaMessage, type WAMessage
} from '@whiskeysockets/baileys'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startSimulator, type Simulator } from '../../src/sim/index.js'
import { linkByQr, type TestClient } from '../support/baileys-client.js'

const PHONE = { A: '15550005001', B: '15550005002', P: '15550005009', NOBODY: '15550005999' } as const

/** 8×8 JPEG */
const JPEG = Buffer.from(
  '/9j/2wBDABQODxIPDRQSEBIXFRQYHjIhHhwcHj0sLiQySUBMS0dARkVQWnNiUFVtVkVGZIhlbXd7gYKBTmCNl4x9lnN+gXz/2wBDARUXFx4aHjshITt8U0ZTfHx8fHx8' +
  'fHx8fHx8fHx8fHx8fHx8fHx8fHx8fHx8fHx8fHx8fHx8fHx8fHx8fHx8fHz/wAARCAAIAAgDASIAAhEBAxEB/8QAFQABAQAAAAAAAAAAAAAAAAAAAAL/xAAUEAEAAAAAAAAA' +
  'AAAAAAAAAAAA/8QAFQEBAQAAAAAAAAAAAAAAAAAAAQX/xAAUEQEAAAAAAAAAAAAAAAAAAAAA/9oADAMBAAIRAxEAPwCQAjv/2Q==',
  'base64'
)
/** 1×1 PNG */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64')
/** the other media kinds only need distinct bytes: nothing on the way decodes them */
const bytesOf = (label: string, size: number) => Buffer.concat([Buffer.from(label), Buffer.alloc(size, label.length)])
const VIDEO = bytesOf('video/mp4', 3000)
const AUDIO = bytesOf('audio/ogg', 1500)
const DOCUMENT = bytesOf('%PDF-1.4 document', 2048)
const STICKER = Buffer.concat([Buffer.from('RIFF'), Buffer.from([0x20, 0, 0, 0]), Buffer.from('WEBPVP8 '), Buffer.alloc(20, 7)])

/** width and height from a JPEG's start-of-frame segment */
function jpegSize(jpeg: Buffer): { width: number; height: number } | undefined {
  if (jpeg.readUInt16BE(0) !== 0xffd8) return undefined
  for (let at = 2; at + 9 < jpeg.length; at += 2 + jpeg.readUInt16BE(at + 2)) {
    const marker = jpeg.readUInt16BE(at)
    if (marker >= 0xffc0 && marker <= 0xffcf && ![0xffc4, 0xffc8, 0xffcc].includes(marker)) {
      return { height: jpeg.readUInt16BE(at + 5), width: jpeg.readUInt16BE(at + 7) }
    }
  }
  return undefined
}

const pn = (phone: string) => `${phone}@s.whatsapp.net`
const textOf = (m: WAMessage | undefined) => m?.message?.conversation ?? m?.message?.extendedTextMessage?.text
type Presence = BaileysEventMap['presence.update']

describe('simulator: 1:1 messaging with real Baileys clients and virtual phones', () => {
  let sim: Simulator
  let A: TestClient
  let B: TestClient

  /** Baileys' download options with the client's dispatcher, which trusts the simulator's media CA */
  const mediaOptions = (client: TestClient) => ({ options: { dispatcher: client.options.mediaDispatcher } as RequestInit })
  const download = (client: TestClient, message: WAMessage) => downloadMediaMessage(message, 'buffer', mediaOptions(client))

  const fetchBytes = async (client: TestClient, url: string) => {
    const res = await fetch(url, { dispatcher: client.options.mediaDispatcher } as RequestInit)
    expect(res.status).toBe(200)
    return Buffer.from(await res.arrayBuffer())
  }

  /** `from` sends `content` to `toPhone`; resolves with the sent message and what `to` received */
  const send = async (from: TestClient, to: TestClient, toPhone: string, content: AnyMessageContent) => {
    const sent = await from.sock!.sendMessage(pn(toPhone), content)
    const got = await to.waitForMessage(m => m.key.id === sent!.key.id)
    expect(got.key.fromMe).toBe(false)
    return { sent: sent!, got }
  }

  /** the next presence.update `client` gets about `phone` with `state`, registered before `action` runs */
  const presenceOf = async (client: TestClient, phone: string, state: string, action: () => Promise<unknown>) => {
    const jid = pn(phone)
    const update = client.waitFor('presence.update', (u: Presence) => u.id === jid && u.presences[jid]?.lastKnownPresence === state)
    await action()
    return (await update).presences[jid]
  }

  beforeAll(async () => {
    sim = await startSimulator()
    ;[A, B] = await Promise.all([linkByQr(sim, PHONE.A, 'Alice'), linkByQr(sim, PHONE.B, 'Bob'), sim.createAccount(PHONE.P, 'Pat')])
  })

  afterAll(async () => {
    for (const c of [A, B]) c?.stop()
    await sim?.stop()
  })

  describe('media between two linked clients', () => {
    it('sends an image with a caption both ways; the receiver downloads the same bytes', async () => {
      const there = await send(A, B, PHONE.B, { image: JPEG, caption: 'a jpeg for Bob' })
      expect(there.got.message?.imageMessage).toMatchObject({ caption: 'a jpeg for Bob', mimetype: 'image/jpeg' })
      expect(there.got.pushName).toBe('Alice')
      expect(await download(B, there.got)).toEqual(JPEG)

      const back = await send(B, A, PHONE.A, { image: PNG, mimetype: 'image/png', caption: 'a png for Alice' })
      expect(back.got.message?.imageMessage).toMatchObject({ caption: 'a png for Alice', mimetype: 'image/png' })
      expect(back.got.pushName).toBe('Bob')
      expect(await download(A, back.got)).toEqual(PNG)
    })

    it('sends video, audio, document and sticker; each arrives as its type with the same bytes', async () => {
      const video = await send(A, B, PHONE.B, { video: VIDEO, caption: 'clip', mimetype: 'video/mp4' })
      expect(video.got.message?.videoMessage).toMatchObject({ caption: 'clip', mimetype: 'video/mp4' })
      expect(await download(B, video.got)).toEqual(VIDEO)

      const audio = await send(B, A, PHONE.A, { audio: AUDIO, mimetype: 'audio/ogg; codecs=opus', ptt: true, seconds: 1 })
      expect(audio.got.message?.audioMessage).toMatchObject({ mimetype: 'audio/ogg; codecs=opus', ptt: true, seconds: 1 })
      expect(await download(A, audio.got)).toEqual(AUDIO)

      const doc = await send(A, B, PHONE.B, { document: DOCUMENT, mimetype: 'application/pdf', fileName: 'report.pdf' })
      expect(doc.got.message?.documentMessage).toMatchObject({ mimetype: 'application/pdf', fileName: 'report.pdf' })
      expect(Number(doc.got.message?.documentMessage?.fileLength)).toBe(DOCUMENT.length)
      const chunks: Buffer[] = []
      const stream = await downloadContentFromMessage(doc.got.message!.documentMessage!, 'document', mediaOptions(B))
      for await (const chunk of stream) chunks.push(chunk as Buffer)
      expect(Buffer.concat(chunks)).toEqual(DOCUMENT)

      const sticker = await send(B, A, PHONE.A, { sticker: STICKER })
      expect(sticker.got.message?.stickerMessage).toMatchObject({ mimetype: 'image/webp' })
      expect(await download(A, sticker.got)).toEqual(STICKER)
    })
  })

  describe('a phone-only contact (virtual phone) and a linked client', () => {
    it('delivers text and an image from the virtual phone to the client', async () => {
      const { id: textId } = await sim.sendText(PHONE.P, PHONE.A, 'hello from Pat')
      const text = await A.waitForMessage(m => m.key.id === textId)
      expect(textOf(text)).toBe('hello from Pat')
      expect(text.key.fromMe).toBe(false)
      expect(text.pushName).toBe('Pat')
      // the recipient's own phone gets it too
      const onPhone = await sim.account(PHONE.A).phoneDevice.waitForMessage(m => m.id === textId)
      expect(onPhone).toMatchObject({ direction: 'in', fromMe: false, from: pn(PHONE.P), chat: pn(PHONE.P), text: 'hello from Pat' })

      const { id: imageId } = await sim.sendImage(PHONE.P, PHONE.A, { bytes: JPEG, mimetype: 'image/jpeg', caption: 'Pat took a photo' })
      const image = await A.waitForMessage(m => m.key.id === imageId)
      expect(image.key.fromMe).toBe(false)
      expect(image.pushName).toBe('Pat')
      expect(image.message?.imageMessage).toMatchObject({ caption: 'Pat took a photo', mimetype: 'image/jpeg' })
      expect(await download(A, image)).toEqual(JPEG)
    })

    it("the client's replies, text and image, reach the virtual phone", async () => {
      const reply = await A.sock!.sendMessage(pn(PHONE.P), { text: 'hi Pat' })
      const onPhone = await sim.account(PHONE.P).phoneDevice.waitForMessage(m => m.id === reply!.key.id)
      expect(onPhone).toMatchObject({ type: 'text', text: 'hi Pat', from: pn(PHONE.A), chat: pn(PHONE.A), fromMe: false, direction: 'in' })

      const image = await A.sock!.sendMessage(pn(PHONE.P), { image: JPEG, caption: 'a photo for Pat' })
      const imageOnPhone = await sim.account(PHONE.P).phoneDevice.waitForMessage(m => m.id === image!.key.id)
      expect(imageOnPhone).toMatchObject({ type: 'image', caption: 'a photo for Pat', from: pn(PHONE.A), fromMe: false })
      expect(imageOnPhone.message.imageMessage?.mimetype).toBe('image/jpeg')

      const received = sim.received(PHONE.P)
      expect(received.map(m => m.id)).toEqual(expect.arrayContaining([reply!.key.id, image!.key.id]))
      // the phone decrypted a real Signal message: its delivery receipt comes back to the sender
      await A.waitForStatus(image!.key.id!, 3)
    })
  })

  describe('a phone and its own linked device', () => {
    it("what A's phone sends to B shows on A's linked client as fromMe in chat B, and reaches B and B's phone", async () => {
      const { id } = await sim.sendText(PHONE.A, PHONE.B, 'sent from the phone')
      const own = await A.waitForMessage(m => m.key.id === id)
      expect(own.key.fromMe).toBe(true)
      expect(own.key.remoteJid).toBe(pn(PHONE.B))
      expect(textOf(own)).toBe('sent from the phone')

      const atB = await B.waitForMessage(m => m.key.id === id)
      expect(atB.key.fromMe).toBe(false)
      expect(atB.pushName).toBe('Alice')
      expect(textOf(atB)).toBe('sent from the phone')
      const onPeerPhone = await sim.account(PHONE.B).phoneDevice.waitForMessage(m => m.id === id)
      expect(onPeerPhone).toMatchObject({ direction: 'in', fromMe: false, from: pn(PHONE.A), chat: pn(PHONE.A), text: 'sent from the phone' })
    })

    it("what A's linked client sends to B is recorded by A's phone as its own, and reaches B and B's phone", async () => {
      const sent = await A.sock!.sendMessage(pn(PHONE.B), { text: 'sent from the linked client' })
      const onOwnPhone = await sim.account(PHONE.A).phoneDevice.waitForMessage(m => m.id === sent!.key.id)
      expect(onOwnPhone).toMatchObject({ direction: 'in', fromMe: true, chat: pn(PHONE.B), type: 'text', text: 'sent from the linked client' })

      const atB = await B.waitForMessage(m => m.key.id === sent!.key.id)
      expect(textOf(atB)).toBe('sent from the linked client')
      const onPeerPhone = await sim.account(PHONE.B).phoneDevice.waitForMessage(m => m.id === sent!.key.id)
      expect(onPeerPhone).toMatchObject({ direction: 'in', fromMe: false, chat: pn(PHONE.A), text: 'sent from the linked client' })
    })

    it("A's phone confirms its copy of what A's client sent with a sender receipt, which Baileys reports as SERVER_ACK", async () => {
      const receipts: Record<string, string>[] = []
      const onReceipt = (node: BinaryNode) => { receipts.push(node.attrs) }
      A.sock!.ws.on('CB:receipt', onReceipt)
      try {
        const sent = await A.sock!.sendMessage(pn(PHONE.B), { text: 'one tick' })
        await A.waitForStatus(sent!.key.id!, 3)
        const own = receipts.filter(r => r.id === sent!.key.id && r.type === 'sender')
        expect(own).toEqual([expect.objectContaining({ from: pn(PHONE.A), recipient: pn(PHONE.B), type: 'sender' })])
        // Baileys' status for it (unless its event buffer folded it into the delivery that followed)
        const update = A.updates.find(u => u.key.id === sent!.key.id && u.update.status === 2)
        if (update) expect(update.key).toMatchObject({ remoteJid: pn(PHONE.B), fromMe: true })
      } finally {
        A.sock!.ws.off('CB:receipt', onReceipt)
      }
    })

    it('a stream of concurrent sends decrypts on both phones without losing a Signal session update', async () => {
      // one message first: Baileys' concurrent first sends to a device each start a session of their own
      const first = await A.sock!.sendMessage(pn(PHONE.B), { text: 'before the burst' })
      for (const phone of [PHONE.A, PHONE.B]) await sim.account(phone).phoneDevice.waitForMessage(m => m.id === first!.key.id)
      const held = { [PHONE.A]: await sim.account(PHONE.A).phoneDevice.heldMessageKeys(), [PHONE.B]: await sim.account(PHONE.B).phoneDevice.heldMessageKeys() }
      // 20 sends in flight at a time, as a busy client has them
      const sent: (WAMessage | undefined)[] = []
      let next = 0
      await Promise.all(Array.from({ length: 20 }, async () => {
        while (next < 200) sent.push(await A.sock!.sendMessage(pn(PHONE.B), { text: `burst ${next++}` }))
      }))
      for (const phone of [PHONE.A, PHONE.B]) {
        for (const message of sent) await sim.account(phone).phoneDevice.waitForMessage(m => m.id === message!.key.id)
        // A lost update leaves the key of a message already read in the session, carried with every later one: one per
        // message (191 of these 200, measured). A few may be held for the client's other traffic to its phone.
        expect(await sim.account(phone).phoneDevice.heldMessageKeys(), phone).toBeLessThan(held[phone] + 10)
      }
    })
  })

  describe('receipts and reactions', () => {
    it('a read by B reaches A as status READ (4)', async () => {
      const { sent, got } = await send(A, B, PHONE.B, { text: 'please read me' })
      await A.waitForStatus(sent.key.id!, 3)
      await B.sock!.readMessages([got.key])
      await A.waitForStatus(sent.key.id!, 4)
      const update = A.updates.find(u => u.key.id === sent.key.id && u.update.status === 4)
      expect(update?.key.remoteJid).toBe(pn(PHONE.B))
    })

    it('a reaction from a client arrives at the other client as a reactionMessage', async () => {
      const fromB = await send(B, A, PHONE.A, { text: 'react to this' })
      const reaction = await send(A, B, PHONE.B, { react: { text: '👍', key: fromB.got.key } })
      const got = reaction.got.message?.reactionMessage
      expect(got?.text).toBe('👍')
      expect(got?.key?.id).toBe(fromB.sent.key.id)
      // A reacted to a message from B; Baileys maps the key to B's point of view, where B wrote it
      expect(got?.key?.fromMe).toBe(true)
      expect(reaction.got.pushName).toBe('Alice')
    })

    it('a reaction from a virtual phone arrives at the client', async () => {
      const sent = await A.sock!.sendMessage(pn(PHONE.P), { text: 'Pat, react to this' })
      await sim.account(PHONE.P).phoneDevice.waitForMessage(m => m.id === sent!.key.id)
      const { id } = await sim.sendReaction(PHONE.P, PHONE.A, { id: sent!.key.id!, fromMe: false }, '❤️')
      const got = await A.waitForMessage(m => m.key.id === id)
      expect(got.key.fromMe).toBe(false)
      expect(got.pushName).toBe('Pat')
      expect(got.message?.reactionMessage?.text).toBe('❤️')
      expect(got.message?.reactionMessage?.key?.id).toBe(sent!.key.id)
      // Pat reacted to a message from A: from A's point of view A wrote it
      expect(got.message?.reactionMessage?.key?.fromMe).toBe(true)
    })

    it("a client's reaction to a virtual phone's message is recorded by the phone", async () => {
      const { id } = await sim.sendText(PHONE.P, PHONE.A, 'react to Pat')
      const got = await A.waitForMessage(m => m.key.id === id)
      const reaction = await A.sock!.sendMessage(pn(PHONE.P), { react: { text: '🎉', key: got.key } })
      const onPhone = await sim.account(PHONE.P).phoneDevice.waitForMessage(m => m.id === reaction!.key.id)
      expect(onPhone).toMatchObject({ type: 'reaction', text: '🎉', from: pn(PHONE.A) })
      expect(onPhone.message.reactionMessage?.key?.id).toBe(id)
    })
  })

  describe('presence and chat state', () => {
    it('B subscribes to A and sees A online, and to a phone-only contact and sees it offline', async () => {
      const presence = await presenceOf(B, PHONE.A, 'available', async () => {
        await A.sock!.sendPresenceUpdate('available')
        await B.sock!.presenceSubscribe(pn(PHONE.A))
      })
      expect(presence.lastKnownPresence).toBe('available')
      // a phone-only contact is never online: the answer to the subscription says so, with a last-seen time
      const pat = await presenceOf(B, PHONE.P, 'unavailable', () => B.sock!.presenceSubscribe(pn(PHONE.P)))
      expect(pat.lastSeen).toBeGreaterThan(0)
    })

    it('A composing, recording and pausing in chat B shows at B', async () => {
      await presenceOf(B, PHONE.A, 'composing', () => A.sock!.sendPresenceUpdate('composing', pn(PHONE.B)))
      await presenceOf(B, PHONE.A, 'recording', () => A.sock!.sendPresenceUpdate('recording', pn(PHONE.B)))
      await presenceOf(B, PHONE.A, 'available', () => A.sock!.sendPresenceUpdate('paused', pn(PHONE.B)))
    })

    it('A going unavailable is seen by B, with a last-seen time, and coming back too', async () => {
      const before = Math.floor(Date.now() / 1000)
      const gone = await presenceOf(B, PHONE.A, 'unavailable', () => A.sock!.sendPresenceUpdate('unavailable'))
      expect(gone.lastSeen).toBeGreaterThanOrEqual(before)
      await presenceOf(B, PHONE.A, 'available', () => A.sock!.sendPresenceUpdate('available'))
    })
  })

  describe('contacts and profile', () => {
    it('onWhatsApp finds a registered number and leaves out an unregistered one', async () => {
      const result = await A.sock!.onWhatsApp(PHONE.B, `+${PHONE.P}`, PHONE.NOBODY)
      expect(result).toHaveLength(2)
      expect(result).toEqual(expect.arrayContaining([
        { jid: pn(PHONE.B), exists: true },
        { jid: pn(PHONE.P), exists: true }
      ]))
      expect(await A.sock!.onWhatsApp(PHONE.NOBODY)).toEqual([])
    })

    it('a profile picture: 404 without one; after the phone sets one, its URL serves the JPEG', async () => {
      await expect(A.sock!.profilePictureUrl(pn(PHONE.P), 'image')).rejects.toMatchObject({ message: 'item-not-found', data: 404 })
      sim.setProfilePicture(PHONE.P, JPEG)
      const url = await A.sock!.profilePictureUrl(pn(PHONE.P), 'image')
      expect(url).toMatch(/^https:\/\//)
      expect(await fetchBytes(A, url!)).toEqual(JPEG)
      const preview = await B.sock!.profilePictureUrl(pn(PHONE.P), 'preview')
      expect(await fetchBytes(B, preview!)).toEqual(JPEG)
    })

    it('a client sets its own picture (made by Baileys with sharp); the other client is told and fetches it', async () => {
      await expect(B.sock!.profilePictureUrl(pn(PHONE.A), 'image')).rejects.toMatchObject({ message: 'item-not-found' })
      const changed = B.waitFor('contacts.update', us => us.some(u => u.id === pn(PHONE.A) && u.imgUrl === 'changed'))
      await A.sock!.updateProfilePicture(A.me!.id, JPEG)
      await changed
      const url = await B.sock!.profilePictureUrl(pn(PHONE.A), 'image')
      const bytes = await fetchBytes(B, url!)
      expect(bytes).toEqual(sim.account(PHONE.A).picture?.bytes)
      // Baileys re-encodes the picture to a 640×640 JPEG before it uploads it
      expect(jpegSize(bytes)).toEqual({ width: 640, height: 640 })
      // and the owner sees its own picture too
      expect(await fetchBytes(A, (await A.sock!.profilePictureUrl(A.me!.id, 'image'))!)).toEqual(bytes)
    })

    it("fetchStatus returns an account's about text; updateProfileStatus changes it", async () => {
      const [initial] = (await B.sock!.fetchStatus(pn(PHONE.A)))!
      expect(initial).toMatchObject({ id: pn(PHONE.A), status: { status: 'Hey there! I am using WhatsApp.' } })
      await A.sock!.updateProfileStatus('busy testing the simulator')
      const [updated] = (await B.sock!.fetchStatus(pn(PHONE.A)))!
      expect(updated).toMatchObject({ id: pn(PHONE.A), status: { status: 'busy testing the simulator' } })
      expect(sim.account(PHONE.A).about).toBe('busy testing the simulator')
    })
  })
})
