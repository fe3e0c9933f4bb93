/**
 * The simulator's state and the one way a stanza reaches a device: `deliver`. A companion that is online gets it
 * at once; either way it stays pending until the device acknowledges it, so a stanza that was sent but never
 * acknowledged is delivered again on the next login, as WhatsApp does.
 */
import { randomBytes, randomInt } from 'node:crypto'
import { type BinaryNode, getBinaryNodeChildren } from '@whiskeysockets/baileys'
import { newKeyPair } from './root-key.js'
import type { Logger } from 'pino'
import type { MediaServer } from './media-server.js'
import { type Account, type Device, type Group, deviceJidOf, accountUserJid } from './model.js'
import { type Domain, normalizePhone, unixNow, userJid } from './jids.js'
import { type PhoneWorld, VirtualPhone } from './virtual-phone.js'

/** Who sent a message, so receipts and retries find their way back. */
export interface SentRecord {
  sender: Device
  chat: string
  isGroup: boolean
  domain: Domain
  deliveredTo: Set<string>
  readBy: Set<string>
  /** whether one of the sender's other devices confirmed its copy (a `sender` receipt went to the sender) */
  ownCopyReceived: boolean
}

const SENT_RECORDS_KEPT = 20_000

export class World implements PhoneWorld {
  readonly accounts = new Map<string, Account>()
  private readonly byLid = new Map<string, Account>()
  readonly groups = new Map<string, Group>()
  readonly sent = new Map<string, SentRecord>()
  /** presence subscriptions: target account phone → subscriber device → the JID form it subscribed with */
  readonly presenceSubscribers = new Map<string, Map<Device, string>>()
  private stanzaCounter = 0

  constructor(readonly logger: Logger, readonly media: () => MediaServer) {}

  nextStanzaId(): string {
    return `sim-${Date.now().toString(36)}-${++this.stanzaCounter}`
  }

  // --- accounts -------------------------------------------------------------------------------------------

  async createAccount(phoneInput: string, name?: string): Promise<Account> {
    const phone = normalizePhone(phoneInput)
    if (phone.length < 6 || phone.length > 15) throw new Error('phone must have 6 to 15 digits')
    const existing = this.accounts.get(phone)
    if (existing) {
      if (name) existing.name = name
      return existing
    }
    let lid: string
    do lid = String(randomInt(10_000_000, 99_999_999)) + String(randomInt(1_000_000, 9_999_999))
    while (this.byLid.has(lid))
    const accountKey = newKeyPair()
    const account: Account = {
      phone,
      lid,
      name: name ?? `User ${phone.slice(-4)}`,
      about: 'Hey there! I am using WhatsApp.',
      aboutSetAt: unixNow(),
      accountKey,
      rawId: randomInt(1, 0x7fffffff),
      nextKeyIndex: 1,
      nextDeviceId: 1,
      devices: new Map(),
      lastSeen: unixNow(),
      phoneDevice: undefined as unknown as VirtualPhone
    }
    account.phoneDevice = new VirtualPhone(account, accountKey, this, this.logger.child({ phone: account.phone, device: 0 }))
    account.devices.set(0, account.phoneDevice.device)
    await account.phoneDevice.replenishPreKeys()
    this.accounts.set(phone, account)
    this.byLid.set(lid, account)
    return account
  }

  /** By phone number or LID, with or without a server part or device suffix. */
  findAccount(idOrJid: string): Account | undefined {
    const user = idOrJid.split('@')[0].split(':')[0]
    if (idOrJid.endsWith('@lid')) return this.byLid.get(user)
    return this.accounts.get(normalizePhone(user)) ?? this.byLid.get(user)
  }

  /** A device by its JID in either domain (`user:dev@server`, device 0 without suffix). */
  findDevice(jid: string): Device | undefined {
    const account = this.findAccount(jid)
    if (!account) return undefined
    const local = jid.split('@')[0]
    const device = local.includes(':') ? Number(local.split(':')[1]) : 0
    return account.devices.get(device)
  }

  findGroup(id: string): Group | undefined {
    return this.groups.get(id.replace('@g.us', ''))
  }

  removeDevice(device: Device): void {
    device.account.devices.delete(device.id)
    device.pending.clear()
    for (const subscribers of this.presenceSubscribers.values()) subscribers.delete(device)
    // Other devices must stop encrypting to it at once rather than after their five-minute device cache.
    for (const account of this.accounts.values()) {
      void account.phoneDevice.forgetDevice(device).catch(() => undefined)
      for (const other of account.devices.values()) {
        if (other.kind !== 'companion' || other === device) continue
        this.deliver(other, this.devicesNotification(device.account, 'remove', device))
      }
    }
  }

  devicesNotification(account: Account, action: 'add' | 'remove', device: Device): BinaryNode {
    return {
      tag: 'notification',
      attrs: { from: accountUserJid(account, 'pn'), type: 'devices', id: this.nextStanzaId(), t: String(unixNow()) },
      content: [{
        tag: action,
        attrs: { device_hash: randomBytes(8).toString('base64') },
        content: [{ tag: 'device', attrs: { jid: deviceJidOf(device, 'pn'), 'key-index': String(device.keyIndex) } }]
      }]
    }
  }

  // --- delivery -------------------------------------------------------------------------------------------

  deliver(device: Device, node: BinaryNode): void {
    if (device.kind === 'phone') {
      // What one virtual phone sends another: the receiving phone decrypts it itself; nothing is queued.
      const sender = node.tag === 'message' ? this.findDevice(node.attrs.participant ?? node.attrs.from ?? '') : undefined
      if (!sender) {
        this.logger.warn({ tag: node.tag }, 'stanza for a phone must go through its virtual phone')
        return
      }
      const isGroup = node.attrs.from?.endsWith('@g.us') ?? false
      const encs = getBinaryNodeChildren(node, 'enc')
      const envelope = { id: node.attrs.id, sender, chat: isGroup ? node.attrs.from : accountUserJid(sender.account, 'pn'), isGroup, t: Number(node.attrs.t), encs }
      device.account.phoneDevice.receive(envelope).catch(err =>
        this.logger.warn({ err: err instanceof Error ? err.message : err, id: envelope.id }, 'virtual phone could not decrypt'))
      return
    }
    device.pending.set(pendingKey(node), node)
    device.connection?.send(node)
  }

  /** The device acknowledged a stanza (by ack or receipt): it is not delivered again. */
  acknowledge(device: Device, cls: string, id: string, type?: string, participant?: string): void {
    device.pending.delete(cls === 'message' ? `message:${id}` : `${cls}:${id}:${type ?? ''}:${participant ?? ''}`)
  }

  // --- keys -------------------------------------------------------------------------------------------------

  takeBundle(device: Device) {
    const { registrationId, identityKey, signedPreKey, preKeys } = device.bundle
    const first = preKeys.entries().next()
    let preKey: { id: number; publicKey: Buffer } | undefined
    if (!first.done) {
      const [id, publicKey] = first.value
      preKeys.delete(id)
      preKey = { id, publicKey }
    }
    if (device.kind === 'companion' && preKeys.size < 5) this.sendPreKeyLow(device)
    return { registrationId, identityKey, signedPreKey, preKey }
  }

  private sendPreKeyLow(device: Device): void {
    if (!device.connection) return
    device.connection.send({
      tag: 'notification',
      attrs: { from: '@s.whatsapp.net', type: 'encrypt', id: this.nextStanzaId(), t: String(unixNow()) },
      content: [{ tag: 'count', attrs: { value: String(device.bundle.preKeys.size) } }]
    })
  }

  // --- messages -----------------------------------------------------------------------------------------

  recordSent(id: string, sender: Device, chat: string, isGroup: boolean, domain: Domain): void {
    if (this.sent.size >= SENT_RECORDS_KEPT) this.sent.delete(this.sent.keys().next().value!)
    this.sent.set(id, { sender, chat, isGroup, domain, deliveredTo: new Set(), readBy: new Set(), ownCopyReceived: false })
  }

  /** A recipient device got (or read) message `id`: tell the sender's devices once per recipient account. */
  receiptFromDevice(reader: Device, id: string, type: 'delivery' | 'read' | 'played'): void {
    const record = this.sent.get(id)
    if (!record) return
    const readerAccount = reader.account
    if (readerAccount === record.sender.account) {
      if (type === 'delivery') this.ownCopyReceived(reader, id, record)
      return
    }
    const seen = type === 'delivery' ? record.deliveredTo : record.readBy
    if (seen.has(readerAccount.phone)) return
    seen.add(readerAccount.phone)
    const t = String(unixNow())
    const attrs: Record<string, string> = record.isGroup
      ? { from: record.chat, participant: accountUserJid(readerAccount, record.domain), id, t }
      : { from: accountUserJid(readerAccount, record.domain), id, t }
    if (type !== 'delivery') attrs.type = type
    for (const device of record.sender.account.devices.values()) {
      if (device.kind !== 'companion') continue
      this.deliver(device, { tag: 'receipt', attrs: { ...attrs, id } })
    }
  }

  /**
   * Another device of the sender's own account got its copy of message `id`: the sending device hears of it once, as
   * `<receipt from="<that device>" recipient="<chat>" type="sender">`, which Baileys reports as SERVER_ACK.
   */
  private ownCopyReceived(reader: Device, id: string, record: SentRecord): void {
    if (record.ownCopyReceived || reader === record.sender || record.sender.kind !== 'companion') return
    record.ownCopyReceived = true
    this.deliver(record.sender, {
      tag: 'receipt',
      attrs: { from: deviceJidOf(reader, record.domain), recipient: record.chat, id, type: 'sender', t: String(unixNow()) }
    })
  }

  receiptFromPhone(phone: Account, sender: Device, id: string, _chat: string, _isGroup: boolean, type?: 'read'): void {
    this.receiptFromDevice(phone.phoneDevice.device, id, type ?? 'delivery')
    void sender
  }

  storeMedia(bytes: Buffer): { url: string; directPath: string } {
    return this.media().put(bytes, 'image')
  }

  userJidFor(account: Account, domain: Domain): string {
    return userJid(domain === 'lid' ? account.lid : account.phone, domain)
  }
}

/** Receipts are keyed with their type: a delivery and a read receipt for one message are two stanzas. */
export function pendingKey(node: BinaryNode): string {
  if (node.tag === 'message') return `message:${node.attrs.id}`
  return `${node.tag}:${node.attrs.id}:${node.attrs.type ?? ''}:${node.attrs.participant ?? ''}`
}
