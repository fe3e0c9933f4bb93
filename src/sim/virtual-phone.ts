/**
 * An account's phone (device 0), played by the simulator with a real Signal identity: the account key pair,
 * as on real WhatsApp. It decrypts everything sent to its number, answers with delivery receipts, and sends
 * text, media and reactions to numbers and groups, encrypted to every recipient device and mirrored to its
 * own linked devices, so a test can play "the other person" with no shortcut through plaintext.
 */
import { readFile, unlink } from 'node:fs/promises'
import {
  addTransactionCapability,
  type BinaryNode,
  encodeWAMessage,
  generateMessageIDV2,
  initAuthCreds,
  prepareWAMessageMedia,
  proto,
  signedKeyPair,
  unpadRandomMax16,
  type WAMediaUploadFunction
} from '@whiskeysockets/baileys'
import { makeLibSignalRepository } from '@whiskeysockets/baileys/lib/Signal/libsignal.js'
import type { Logger } from 'pino'
import { makeMemoryKeyStore } from './memory-keys.js'
import type { Account, Device, Group, KeyBundle } from './model.js'
import { deviceJidOf } from './model.js'
import { deviceJid, unixNow, userJid } from './jids.js'
import { type KeyPair, newKeyPair } from './root-key.js'

const PREKEY_BATCH = 30

/** What the phone can do in the simulator's world; implemented by the router. */
export interface PhoneWorld {
  findAccount(phoneOrLid: string): Account | undefined
  findGroup(id: string): Group | undefined
  /** a device's published bundle with at most one one-time prekey, which is consumed */
  takeBundle(device: Device): Omit<KeyBundle, 'preKeys'> & { preKey?: { id: number; publicKey: Buffer } }
  deliver(device: Device, node: BinaryNode): void
  /** the phone received message `id` from `sender` in `chat`; the router tells the sender's devices */
  receiptFromPhone(phone: Account, sender: Device, id: string, chat: string, isGroup: boolean, type?: 'read'): void
  /** the phone sent a message; the router records it so receipts find their way back */
  recordSent(id: string, sender: Device, chat: string, isGroup: boolean, domain: 'pn' | 'lid'): void
  storeMedia(bytes: Buffer): { url: string; directPath: string }
}

export interface PhoneMessage {
  id: string
  /** the author's phone number JID */
  from: string
  /** the chat: the other person's number JID, or the group JID */
  chat: string
  type: string
  text?: string
  caption?: string
  timestamp: number
  fromMe: boolean
  /** `in` for what reached the phone, `out` for what the phone itself sent */
  direction: 'in' | 'out'
  message: proto.IMessage
}

export interface IncomingEnvelope {
  id: string
  sender: Device
  /** the chat from the phone's point of view: the sender's number, the group, or (own copies) the destination */
  chat: string
  isGroup: boolean
  t: number
  encs: BinaryNode[]
}

export class VirtualPhone {
  readonly device: Device
  readonly inbox: PhoneMessage[] = []
  private readonly keys = makeMemoryKeyStore()
  private readonly creds = initAuthCreds()
  private readonly repository
  private nextPreKeyId = 1
  private inboxWaiters = new Set<() => void>()
  /** the stanza being decrypted now: the next waits for it */
  private receiving: Promise<void> = Promise.resolve()

  constructor(
    private readonly account: Account,
    accountKey: KeyPair,
    private readonly world: PhoneWorld,
    private readonly logger: Logger
  ) {
    // The phone's Signal identity is the account key, as on real WhatsApp.
    const creds = this.creds as { -readonly [K in keyof typeof this.creds]: (typeof this.creds)[K] }
    creds.signedIdentityKey = { public: accountKey.public, private: accountKey.private }
    creds.signedPreKey = signedKeyPair(creds.signedIdentityKey, 1)
    const keys = addTransactionCapability(this.keys, logger as any, { maxCommitRetries: 3, delayBetweenTriesMs: 10 })
    this.repository = makeLibSignalRepository({ creds: this.creds, keys }, logger as any, async jids =>
      jids.flatMap(pn => {
        const found = this.world.findAccount(pn.split('@')[0].split(':')[0])
        return found ? [{ pn, lid: userJid(found.lid, 'lid') }] : []
      })
    )
    this.device = {
      account,
      id: 0,
      kind: 'phone',
      bundle: {
        registrationId: this.creds.registrationId,
        identityKey: accountKey.public,
        signedPreKey: {
          id: this.creds.signedPreKey.keyId,
          publicKey: Buffer.from(this.creds.signedPreKey.keyPair.public),
          signature: Buffer.from(this.creds.signedPreKey.signature)
        },
        preKeys: new Map()
      },
      keyIndex: 0,
      platform: 'android',
      linkedAt: unixNow(),
      pending: new Map(),
      awaitingBootstrap: false,
      available: false
    }
  }

  /** Keeps a stock of one-time prekeys on the server, as a phone does on PreKeyLow. */
  async replenishPreKeys(): Promise<void> {
    if (this.device.bundle.preKeys.size >= 5) return
    const update: Record<string, { public: Buffer; private: Buffer }> = {}
    for (let i = 0; i < PREKEY_BATCH; i++) {
      const id = this.nextPreKeyId++
      const pair = newKeyPair()
      update[id] = pair
      this.device.bundle.preKeys.set(id, pair.public)
    }
    await this.keys.set({ 'pre-key': update })
  }

  /**
   * How many message keys the phone's Signal sessions hold for messages it has not decrypted (yet). Once every
   * stanza sent to it has arrived this is 0: a key left over means a session update was lost, and the session
   * record then grows with every message.
   */
  async heldMessageKeys(): Promise<number> {
    const records = await this.keys.get('session', this.keys.ids('session')) as Record<string, { _sessions?: Record<string, { _chains?: Record<string, { messageKeys?: object }> }> }>
    let held = 0
    for (const record of Object.values(records)) {
      for (const session of Object.values(record._sessions ?? {})) {
        for (const chain of Object.values(session._chains ?? {})) held += Object.keys(chain.messageKeys ?? {}).length
      }
    }
    return held
  }

  /**
   * Decrypts an incoming stanza addressed to this phone and records what it carried. Stanzas are taken one at a
   * time, in the order they came, as a phone does. Decrypted concurrently, a busy device's stanzas lost Signal
   * session updates: its session record kept one used message key per message, and every decryption grew slower
   * (measured: a 20-in-flight stream of own-device copies, 1 KB of session after 3,600 messages instead of 190 KB, and
   * the simulator's CPU per message flat instead of doubling).
   */
  receive(envelope: IncomingEnvelope): Promise<void> {
    const done = this.receiving.then(() => this.decryptAndRecord(envelope))
    this.receiving = done.catch(() => undefined)
    return done
  }

  private async decryptAndRecord(envelope: IncomingEnvelope): Promise<void> {
    const author = deviceJidOf(envelope.sender, 'lid')
    let content: proto.IMessage | undefined
    for (const enc of envelope.encs) {
      const type = enc.attrs.type
      const ciphertext = enc.content as Uint8Array
      if (type === 'pkmsg' || type === 'msg') {
        const plain = await this.repository.decryptMessage({ jid: author, type, ciphertext })
        const message = proto.Message.decode(unpadRandomMax16(plain))
        if (message.senderKeyDistributionMessage?.groupId && message.senderKeyDistributionMessage.axolotlSenderKeyDistributionMessage) {
          await this.repository.processSenderKeyDistributionMessage({ item: message.senderKeyDistributionMessage, authorJid: author })
        }
        const stripped = { ...message, senderKeyDistributionMessage: undefined }
        if (Object.values(stripped).some(v => v !== undefined && v !== null)) content = message
      } else if (type === 'skmsg') {
        const plain = await this.repository.decryptGroupMessage({ group: envelope.chat, authorJid: author, msg: ciphertext })
        content = proto.Message.decode(unpadRandomMax16(plain))
      }
    }
    await this.replenishPreKeys()
    const fromMe = envelope.sender.account === this.account
    this.world.receiptFromPhone(this.account, envelope.sender, envelope.id, envelope.chat, envelope.isGroup)
    if (!content) return
    const inner = content.deviceSentMessage?.message ?? content
    const chat = content.deviceSentMessage?.destinationJid ?? envelope.chat
    if (inner.protocolMessage || (inner.senderKeyDistributionMessage && Object.keys(inner).length === 1)) return
    this.record({
      id: envelope.id,
      from: userJid(envelope.sender.account.phone, 'pn'),
      chat,
      timestamp: envelope.t,
      fromMe,
      direction: 'in',
      message: inner
    })
  }

  private record(partial: Omit<PhoneMessage, 'type' | 'text' | 'caption'>): void {
    const m = partial.message
    const type = m.conversation || m.extendedTextMessage ? 'text'
      : m.imageMessage ? 'image'
      : m.videoMessage ? 'video'
      : m.audioMessage ? 'audio'
      : m.documentMessage ? 'document'
      : m.stickerMessage ? 'sticker'
      : m.reactionMessage ? 'reaction'
      : m.locationMessage ? 'location'
      : m.contactMessage ? 'contact'
      : Object.keys(m)[0] ?? 'unknown'
    const text = m.conversation ?? m.extendedTextMessage?.text ?? m.reactionMessage?.text ?? undefined
    const caption = m.imageMessage?.caption ?? m.videoMessage?.caption ?? m.documentMessage?.caption ?? undefined
    this.inbox.push({ ...partial, type, text: text ?? undefined, caption: caption ?? undefined })
    for (const wake of this.inboxWaiters) wake()
  }

  /** Resolves once a message matching `predicate` is in the inbox (or rejects after `timeoutMs`). */
  waitForMessage(predicate: (m: PhoneMessage) => boolean, timeoutMs = 10_000): Promise<PhoneMessage> {
    const found = this.inbox.find(predicate)
    if (found) return Promise.resolve(found)
    return new Promise((resolve, reject) => {
      const check = () => {
        const hit = this.inbox.find(predicate)
        if (hit) { done(); resolve(hit) }
      }
      const timer = setTimeout(() => { done(); reject(new Error('timed out waiting for a message on the virtual phone')) }, timeoutMs)
      const done = () => { clearTimeout(timer); this.inboxWaiters.delete(check) }
      this.inboxWaiters.add(check)
    })
  }

  async sendText(to: string, text: string): Promise<string> {
    return this.send(to, { conversation: text }, 'text')
  }

  async sendImage(to: string, image: { bytes: Buffer; mimetype: string; caption?: string }): Promise<string> {
    const content = await prepareWAMessageMedia(
      { image: image.bytes, mimetype: image.mimetype, caption: image.caption, jpegThumbnail: '' } as any,
      { upload: this.upload, logger: this.logger as any }
    )
    return this.send(to, content, 'media', 'image')
  }

  async sendReaction(to: string, target: { id: string; fromMe: boolean; participant?: string }, emoji: string): Promise<string> {
    const chat = this.chatJid(to)
    return this.send(to, {
      reactionMessage: {
        key: { remoteJid: chat, id: target.id, fromMe: target.fromMe, participant: target.participant },
        text: emoji,
        senderTimestampMs: Date.now()
      }
    }, 'reaction')
  }

  private upload: WAMediaUploadFunction = async encFilePath => {
    const bytes = await readFile(encFilePath)
    await unlink(encFilePath).catch(() => undefined)
    const stored = this.world.storeMedia(bytes)
    return { mediaUrl: stored.url, directPath: stored.directPath }
  }

  private chatJid(to: string): string {
    if (to.endsWith('@g.us')) return to
    const account = this.world.findAccount(to.split('@')[0])
    if (!account) throw new Error(`${to} is not on WhatsApp`)
    return userJid(account.phone, 'pn')
  }

  /** Encrypts `content` to every device that must see it and hands the stanzas to the router. */
  async send(to: string, content: proto.IMessage, stanzaType: string, mediatype?: string): Promise<string> {
    const id = generateMessageIDV2(userJid(this.account.phone, 'pn'))
    const t = String(unixNow())
    const notify = this.account.name
    const encAttrs = (type: string): Record<string, string> => ({
      v: '2',
      type,
      ...(mediatype ? { mediatype } : {}),
      ...(stanzaType === 'reaction' ? { 'decrypt-fail': 'hide' } : {})
    })
    if (to.endsWith('@g.us')) {
      const group = this.world.findGroup(to.replace('@g.us', ''))
      if (!group || !group.participants.has(this.account.phone)) throw new Error(`not a participant of ${to}`)
      const domain = group.addressingMode
      const meJid = deviceJid(domain === 'lid' ? this.account.lid : this.account.phone, 0, domain)
      const { ciphertext, senderKeyDistributionMessage } = await this.repository.encryptGroupMessage({
        group: to, meId: userJid(this.account.lid, 'lid'), data: encodeWAMessage(content)
      })
      const skdm = encodeWAMessage({ senderKeyDistributionMessage: { groupId: to, axolotlSenderKeyDistributionMessage: senderKeyDistributionMessage } })
      this.world.recordSent(id, this.device, to, true, domain)
      for (const phone of group.participants.keys()) {
        const member = this.world.findAccount(phone)
        if (!member) continue
        for (const device of member.devices.values()) {
          if (device === this.device) continue
          const pk = await this.encryptTo(device, skdm)
          this.world.deliver(device, {
            tag: 'message',
            attrs: {
              from: to, participant: meJid, id, t, type: stanzaType, notify, addressing_mode: domain,
              ...(domain === 'lid' ? { participant_pn: userJid(this.account.phone, 'pn') } : { participant_lid: userJid(this.account.lid, 'lid') })
            },
            content: [
              { tag: 'enc', attrs: encAttrs(pk.type), content: pk.ciphertext },
              { tag: 'enc', attrs: encAttrs('skmsg'), content: ciphertext }
            ]
          })
        }
      }
      this.record({ id, from: userJid(this.account.phone, 'pn'), chat: to, timestamp: Number(t), fromMe: true, direction: 'out', message: content })
      return id
    }
    const recipient = this.world.findAccount(to.split('@')[0])
    if (!recipient) throw new Error(`${to} is not on WhatsApp`)
    const chat = userJid(recipient.phone, 'pn')
    this.world.recordSent(id, this.device, chat, false, 'pn')
    const plain = encodeWAMessage(content)
    for (const device of recipient.devices.values()) {
      if (device === this.device) continue
      const enc = await this.encryptTo(device, plain)
      this.world.deliver(device, {
        tag: 'message',
        attrs: { from: userJid(this.account.phone, 'pn'), id, t, type: stanzaType, notify, sender_lid: userJid(this.account.lid, 'lid') },
        content: [{ tag: 'enc', attrs: encAttrs(enc.type), content: enc.ciphertext }]
      })
    }
    if (recipient !== this.account) {
      // The phone's own linked devices see what it sent, wrapped as a DeviceSentMessage.
      const dsm = encodeWAMessage({ deviceSentMessage: { destinationJid: chat, message: content } })
      for (const device of this.account.devices.values()) {
        if (device === this.device) continue
        const enc = await this.encryptTo(device, dsm)
        this.world.deliver(device, {
          tag: 'message',
          attrs: { from: userJid(this.account.phone, 'pn'), recipient: chat, id, t, type: stanzaType },
          content: [{ tag: 'enc', attrs: encAttrs(enc.type), content: enc.ciphertext }]
        })
      }
    }
    this.record({ id, from: userJid(this.account.phone, 'pn'), chat, timestamp: Number(t), fromMe: true, direction: 'out', message: content })
    return id
  }

  private async encryptTo(device: Device, data: Uint8Array): Promise<{ type: 'pkmsg' | 'msg'; ciphertext: Uint8Array }> {
    const jid = deviceJidOf(device, 'lid')
    const { exists } = await this.repository.validateSession(jid)
    if (!exists) {
      const bundle = this.world.takeBundle(device)
      await this.repository.injectE2ESession({
        jid,
        session: {
          registrationId: bundle.registrationId,
          identityKey: Buffer.concat([Buffer.from([5]), bundle.identityKey]),
          signedPreKey: {
            keyId: bundle.signedPreKey.id,
            publicKey: Buffer.concat([Buffer.from([5]), bundle.signedPreKey.publicKey]),
            signature: bundle.signedPreKey.signature
          },
          preKey: bundle.preKey ? { keyId: bundle.preKey.id, publicKey: Buffer.concat([Buffer.from([5]), bundle.preKey.publicKey]) } : undefined
        }
      })
    }
    return this.repository.encryptMessage({ jid, data })
  }

  /** Forgets Signal sessions with a device that was unlinked, as a phone does on a devices notification. */
  async forgetDevice(device: Device): Promise<void> {
    await this.repository.deleteSession([deviceJidOf(device, 'lid')])
  }
}
