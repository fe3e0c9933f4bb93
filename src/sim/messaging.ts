/**
 * Routing what a linked client sends: messages (1:1, group, retries, peer), receipts, acks, presence and chat
 * state (wa-protocol.md §4 and §7). The simulator never decrypts what it routes; only virtual phones do.
 */
import { type BinaryNode, getBinaryNodeChild, getBinaryNodeChildren } from '@whiskeysockets/baileys'
import type { ClientConnection } from './connection.js'
import { type Device, accountUserJid, deviceJidOf } from './model.js'
import { domainOf, isGroupJid, unixNow } from './jids.js'
import type { World } from './world.js'
import type { IncomingEnvelope } from './virtual-phone.js'

const COPIED_MESSAGE_ATTRS = ['type', 'edit', 'category', 'push_priority']

function copyAttrs(node: BinaryNode): Record<string, string> {
  const out: Record<string, string> = {}
  for (const key of COPIED_MESSAGE_ATTRS) if (node.attrs[key]) out[key] = node.attrs[key]
  return out
}

function toPhone(world: World, device: Device, envelope: IncomingEnvelope): void {
  device.account.phoneDevice.receive(envelope).catch(err =>
    world.logger.warn({ err: err instanceof Error ? err.message : err, id: envelope.id }, 'virtual phone could not decrypt')
  )
}

export function handleClientMessage(world: World, conn: ClientConnection, node: BinaryNode): void {
  const sender = conn.device!
  const { to, id } = node.attrs
  const t = String(unixNow())
  if (!to || !id) return
  const participants = getBinaryNodeChildren(getBinaryNodeChild(node, 'participants'), 'to')
  const directEncs = getBinaryNodeChildren(node, 'enc')
  const deviceIdentity = getBinaryNodeChild(node, 'device-identity')
  const withIdentity = (enc: BinaryNode): BinaryNode[] =>
    enc.attrs.type === 'pkmsg' && deviceIdentity ? [enc, deviceIdentity] : [enc]

  if (isGroupJid(to)) {
    const group = world.findGroup(to)
    if (!group || !group.participants.has(sender.account.phone)) {
      conn.send({ tag: 'ack', attrs: { class: 'message', id, from: to, t, error: '403' } })
      return
    }
    conn.send({ tag: 'ack', attrs: { class: 'message', id, from: to, t } })
    const domain = node.attrs.addressing_mode === 'pn' ? 'pn' : node.attrs.addressing_mode === 'lid' ? 'lid' : group.addressingMode
    const baseAttrs = {
      from: to,
      participant: deviceJidOf(sender, domain),
      ...(domain === 'lid' ? { participant_pn: accountUserJid(sender.account, 'pn') } : { participant_lid: accountUserJid(sender.account, 'lid') }),
      addressing_mode: domain,
      id,
      t,
      notify: sender.account.name,
      ...copyAttrs(node)
    }
    // A retry resend names one device and carries a single pairwise enc.
    if (node.attrs.participant && participants.length === 0) {
      const target = world.findDevice(node.attrs.participant)
      if (target) deliverTo(world, target, { tag: 'message', attrs: baseAttrs, content: directEncs.flatMap(withIdentity) }, { id, sender, chat: to, isGroup: true, t: Number(t), encs: directEncs })
      return
    }
    const pairwise = new Map<Device, BinaryNode>()
    for (const entry of participants) {
      const device = world.findDevice(entry.attrs.jid)
      const enc = getBinaryNodeChild(entry, 'enc')
      if (device && enc) pairwise.set(device, enc)
    }
    const skmsg = directEncs.find(e => e.attrs.type === 'skmsg')
    world.recordSent(id, sender, to, true, domain)
    for (const phone of group.participants.keys()) {
      const member = world.findAccount(phone)
      if (!member) continue
      for (const device of member.devices.values()) {
        if (device === sender) continue
        const own = pairwise.get(device)
        const encs = [...(own ? [own] : []), ...(skmsg ? [skmsg] : [])]
        if (!encs.length) continue
        const content = own ? [...withIdentity(own), ...(skmsg ? [skmsg] : [])] : encs
        deliverTo(world, device, { tag: 'message', attrs: baseAttrs, content }, { id, sender, chat: to, isGroup: true, t: Number(t), encs })
      }
    }
    return
  }

  conn.send({ tag: 'ack', attrs: { class: 'message', id, from: to, t } })
  const domain = domainOf(to)
  const peer = world.findAccount(to)
  if (!peer) return
  const senderJid = deviceJidOf(sender, domain)
  const peerChat = accountUserJid(peer, domain)
  const altAttr: Record<string, string> = domain === 'lid' ? { sender_pn: accountUserJid(sender.account, 'pn') } : { sender_lid: accountUserJid(sender.account, 'lid') }

  if (participants.length === 0) {
    // Retry resends (to one device) and peer messages (to the own phone) carry their enc directly.
    const target = world.findDevice(to)
    if (!target) return
    const isOwn = target.account === sender.account
    const attrs = { from: senderJid, id, t, ...copyAttrs(node), ...(isOwn ? {} : { notify: sender.account.name, ...altAttr }) }
    deliverTo(world, target, { tag: 'message', attrs, content: directEncs.flatMap(withIdentity) }, {
      id, sender, chat: isOwn ? peerChat : accountUserJid(sender.account, 'pn'), isGroup: false, t: Number(t), encs: directEncs
    })
    return
  }

  world.recordSent(id, sender, peerChat, false, domain)
  for (const entry of participants) {
    const device = world.findDevice(entry.attrs.jid)
    const enc = getBinaryNodeChild(entry, 'enc')
    if (!device || !enc || device === sender) continue
    const isOwn = device.account === sender.account
    const attrs = isOwn
      ? { from: senderJid, recipient: peerChat, id, t, ...copyAttrs(node) }
      : { from: senderJid, id, t, notify: sender.account.name, ...altAttr, ...copyAttrs(node) }
    deliverTo(world, device, { tag: 'message', attrs, content: withIdentity(enc) }, {
      id, sender, chat: isOwn ? accountUserJid(peer, 'pn') : accountUserJid(sender.account, 'pn'), isGroup: false, t: Number(t), encs: [enc]
    })
  }
}

function deliverTo(world: World, device: Device, node: BinaryNode, envelope: IncomingEnvelope): void {
  if (device.kind === 'phone') toPhone(world, device, envelope)
  else world.deliver(device, node)
}

export function handleClientReceipt(world: World, conn: ClientConnection, node: BinaryNode): void {
  const device = conn.device!
  const { id, type } = node.attrs
  if (!id) return
  const ids = [id, ...getBinaryNodeChildren(getBinaryNodeChild(node, 'list'), 'item').map(i => i.attrs.id).filter(Boolean)]
  for (const messageId of ids) world.acknowledge(device, 'message', messageId)
  conn.send({ tag: 'ack', attrs: { class: 'receipt', id, from: node.attrs.to ?? '@s.whatsapp.net', ...(type ? { type } : {}) } })
  switch (type) {
    case undefined:
    case 'inactive':
      for (const messageId of ids) world.receiptFromDevice(device, messageId, 'delivery')
      break
    case 'read':
    case 'played':
      for (const messageId of ids) world.receiptFromDevice(device, messageId, type)
      break
    case 'sender':
      // a device's receipt for its own account's message: its copy arrived
      for (const messageId of ids) world.receiptFromDevice(device, messageId, 'delivery')
      break
    case 'retry':
      forwardRetry(world, device, node)
      break
    default:
      // read-self, peer_msg, hist_sync, server-error: nothing further to route
      break
  }
}

/** Hands a retry receipt to the device that sent the message, naming the device that asks. */
function forwardRetry(world: World, requester: Device, node: BinaryNode): void {
  const record = world.sent.get(node.attrs.id)
  if (!record || record.sender.kind !== 'companion') return
  const attrs: Record<string, string> = record.isGroup
    ? { from: record.chat, participant: deviceJidOf(requester, record.domain), id: node.attrs.id, type: 'retry', t: String(unixNow()) }
    : { from: deviceJidOf(requester, record.domain), id: node.attrs.id, type: 'retry', t: String(unixNow()) }
  world.deliver(record.sender, { tag: 'receipt', attrs, content: node.content })
}

export function handleClientAck(world: World, conn: ClientConnection, node: BinaryNode): void {
  const { class: cls, id, type, participant } = node.attrs
  if (cls && id) world.acknowledge(conn.device!, cls, id, type, participant)
}

export function presenceNode(world: World, target: ReturnType<World['findAccount']> & object, jidForm: string): BinaryNode {
  const online = [...target.devices.values()].some(d => d.available)
  return online
    ? { tag: 'presence', attrs: { from: jidForm } }
    : { tag: 'presence', attrs: { from: jidForm, type: 'unavailable', last: String(target.lastSeen) } }
}

export function broadcastPresence(world: World, account: NonNullable<ReturnType<World['findAccount']>>): void {
  const subscribers = world.presenceSubscribers.get(account.phone)
  if (!subscribers) return
  for (const [device, jidForm] of subscribers) device.connection?.send(presenceNode(world, account, jidForm))
}

export function handleClientPresence(world: World, conn: ClientConnection, node: BinaryNode): void {
  const device = conn.device!
  const { type, to } = node.attrs
  if (type === 'subscribe' && to) {
    const target = world.findAccount(to)
    if (!target) return
    let subscribers = world.presenceSubscribers.get(target.phone)
    if (!subscribers) world.presenceSubscribers.set(target.phone, (subscribers = new Map()))
    const jidForm = accountUserJid(target, domainOf(to))
    subscribers.set(device, jidForm)
    conn.send(presenceNode(world, target, jidForm))
    return
  }
  if (type === 'available' || type === 'unavailable') {
    const wasOnline = [...device.account.devices.values()].some(d => d.available)
    device.available = type === 'available'
    const isOnline = [...device.account.devices.values()].some(d => d.available)
    if (!isOnline) device.account.lastSeen = unixNow()
    if (wasOnline !== isOnline) broadcastPresence(world, device.account)
  }
}

/** Typing and recording indicators are ephemeral: online devices only, never queued. */
export function handleClientChatstate(world: World, conn: ClientConnection, node: BinaryNode): void {
  const sender = conn.device!
  const to = node.attrs.to
  const state = Array.isArray(node.content) ? node.content[0] : undefined
  if (!to || !state) return
  if (isGroupJid(to)) {
    const group = world.findGroup(to)
    if (!group?.participants.has(sender.account.phone)) return
    for (const phone of group.participants.keys()) {
      const member = world.findAccount(phone)
      for (const device of member?.devices.values() ?? []) {
        if (device === sender) continue
        device.connection?.send({ tag: 'chatstate', attrs: { from: to, participant: accountUserJid(sender.account, group.addressingMode) }, content: [state] })
      }
    }
    return
  }
  const target = world.findAccount(to)
  if (!target) return
  for (const device of target.devices.values()) {
    device.connection?.send({ tag: 'chatstate', attrs: { from: accountUserJid(sender.account, domainOf(to)) }, content: [state] })
  }
}
