/**
 * Writes what a session's socket reports into the store: messages in and out (with the raw message, so Baileys'
 * getMessage can answer retry receipts), their ack and receipt status, chats, contacts and LID ↔ phone pairs.
 * A redelivered message is stored once and announced once.
 */
import {
  type BaileysEventMap, type MessageUserReceiptUpdate, type WAMessage, type WAMessageUpdate, getContentType, isJidGroup, jidNormalizedUser,
  normalizeMessageContent, proto, WAMessageStubType
} from '@whiskeysockets/baileys'
import type { HostEvents } from '../events.js'
import { inTransaction, type Store, transactionWithHeldKeys } from '../store/index.js'

/** proto.WebMessageInfo.Status → the webhook event's ack status. */
const ACK_STATUSES = ['error', 'pending', 'server_ack', 'delivered', 'read', 'played'] as const

/** Message content types that carry nothing a user would call a message. */
const SILENT_TYPES = new Set(['protocolMessage', 'senderKeyDistributionMessage', 'messageContextInfo'])

export function textOf(content: proto.IMessage | null | undefined): string | null {
  if (!content) return null
  return content.conversation ?? content.extendedTextMessage?.text ?? content.imageMessage?.caption ??
    content.videoMessage?.caption ?? content.documentMessage?.caption ?? content.reactionMessage?.text ?? null
}

export function ingestEvents(store: Store, events: HostEvents, sessionId: string, batch: Partial<BaileysEventMap>): void {
  const upsert = batch['messages.upsert']
  // Baileys' upsert of what a send just stored (the usual case for our own messages) has nothing to write
  if (upsert && upsert.messages.some(msg => !storedSends.has(msg))) {
    const announce: (() => void)[] = []
    // One transaction per batch: a crash leaves either all of it or none, and a redelivery finds it stored.
    transactionWithHeldKeys(store.db, () => {
      for (const msg of upsert.messages) {
        if (storedSends.has(msg)) continue
        const after = storeMessage(store, events, sessionId, msg)?.announce
        if (after) announce.push(after)
      }
    })
    for (const emit of announce) emit()
  }
  // While Baileys buffers events, a receipt for a message whose upsert is still in the buffer is folded into that
  // message (its status, its group receipts) instead of being an event of its own. A send's upsert is otherwise
  // skipped as stored already: what was folded into it since is the news, taken like the events it replaced.
  const folded = foldedIntoSends(upsert?.messages ?? [])
  const statusUpdates = [...folded.statuses, ...(batch['messages.update'] ?? [])]
    .filter(({ key, update }) => key.remoteJid && key.id && typeof update.status === 'number')
  if (statusUpdates.length) {
    // a send of this turn not yet stored (and announced) would miss its status: it goes first
    store.groupCommit.flush()
    const acks: Parameters<HostEvents['emit']>[0][] = []
    // each status with its webhook event, all of the batch in one transaction: one exists if and only if the other does
    inTransaction(store.db, () => {
      for (const { key, update } of statusUpdates) {
        const status = update.status!
        const ackError = status === proto.WebMessageInfo.Status.ERROR ? (update.messageStubParameters?.[0] ?? 'error') : null
        const chat = key.remoteJid!
        const id = key.id!
        if (!store.messages.updateStatus(sessionId, chat, id, !!key.fromMe, status, ackError)) continue
        store.webhooks.enqueue(sessionId, 'message_ack', { chat, id, from_me: !!key.fromMe, status: ACK_STATUSES[status] ?? 'pending', error: ackError })
        acks.push({ type: 'message_ack', sessionId, chat, id, status, error: ackError })
      }
    })
    for (const ack of acks) events.emit(ack)
  }
  applyEditsAndRevokes(store, sessionId, [...folded.contents, ...(batch['messages.update'] ?? [])])
  const receipts = folded.receipts
  queueSignals(store, sessionId, receipts.length ? { ...batch, 'message-receipt.update': [...receipts, ...(batch['message-receipt.update'] ?? [])] } : batch)
  for (const { lid, pn } of batch['lid-mapping.update'] ? [batch['lid-mapping.update']] : []) {
    if (lid && pn) store.contacts.upsertLidPn(sessionId, jidNormalizedUser(lid), jidNormalizedUser(pn))
  }
  for (const contact of [...(batch['contacts.upsert'] ?? []), ...(batch['contacts.update'] ?? [])]) {
    if (!contact.id) continue
    store.contacts.upsert({ sessionId, jid: jidNormalizedUser(contact.id), name: contact.name ?? null, notify: contact.notify ?? null, lid: contact.lid ?? null, phoneNumber: contact.phoneNumber ?? null })
  }
  for (const chat of batch['chats.upsert'] ?? []) {
    if (chat.id) store.chats.upsert({ sessionId, jid: chat.id, name: chat.name ?? null })
  }
  for (const group of batch['groups.upsert'] ?? []) {
    store.chats.upsert({ sessionId, jid: group.id, name: group.subject ?? null })
  }
}

/**
 * Stores one message in its own transaction, with the Signal key changes its decryption made (store/auth-state.ts),
 * and announces it if new: early-store.ts's call, before the receipt.
 */
export function ingestMessage(store: Store, events: HostEvents, sessionId: string, msg: WAMessage): void {
  const after = transactionWithHeldKeys(store.db, () => storeMessage(store, events, sessionId, msg)?.announce)
  after?.()
}

/**
 * Messages stored from what sendMessage returned, with the status stored and the number of group receipts taken.
 * Baileys then emits that very object as a fromMe upsert, which finds nothing new to store: the ingest skips it
 * instead of writing it a second time, and takes only what Baileys folded into it since (see foldedIntoSends).
 */
const storedSends = new WeakMap<WAMessage, { status: number | null; receipts: number; content: proto.IMessage | null | undefined }>()

/**
 * The statuses, group receipts and content changes (an edit, a revoke) Baileys folded into stored sends since they
 * were stored or last looked at.
 */
function foldedIntoSends(messages: WAMessage[]): { statuses: WAMessageUpdate[]; receipts: MessageUserReceiptUpdate[]; contents: WAMessageUpdate[] } {
  const statuses: WAMessageUpdate[] = []
  const receipts: MessageUserReceiptUpdate[] = []
  const contents: WAMessageUpdate[] = []
  for (const msg of messages) {
    const seen = storedSends.get(msg)
    if (!seen) continue
    const status = msg.status ?? null
    if (status !== seen.status) {
      statuses.push({ key: msg.key, update: { status, messageStubParameters: msg.messageStubParameters } })
      seen.status = status
    }
    const userReceipts = msg.userReceipt ?? []
    for (const receipt of userReceipts.slice(seen.receipts)) receipts.push({ key: msg.key, receipt })
    seen.receipts = userReceipts.length
    if (msg.message !== seen.content) {
      contents.push({ key: msg.key, update: { message: msg.message, messageStubType: msg.messageStubType, messageTimestamp: msg.messageTimestamp } })
      seen.content = msg.message
    }
  }
  return { statuses, receipts, contents }
}

/**
 * The sender's edits and deletions for everyone, as Baileys reports them (a messages.update with the edited
 * message, or with no message and the REVOKE stub): the stored message takes the new text, or loses its text.
 */
function applyEditsAndRevokes(store: Store, sessionId: string, updates: WAMessageUpdate[]): void {
  const changes = updates.filter(({ key, update }) => key.remoteJid && key.id &&
    (update.message?.editedMessage?.message || (update.message === null && update.messageStubType === WAMessageStubType.REVOKE)))
  if (!changes.length) return
  // an edit of a send of this turn finds it stored
  store.groupCommit.flush()
  inTransaction(store.db, () => {
    for (const { key, update } of changes) {
      const edited = update.message?.editedMessage?.message
      // an edit carries its own time; a revoke update carries none
      if (edited) store.messages.applyEdit(sessionId, key.remoteJid!, key.id!, !!key.fromMe, textOf(normalizeMessageContent(edited)), secondsOf(update.messageTimestamp))
      else store.messages.applyRevoke(sessionId, key.remoteJid!, key.id!, !!key.fromMe, secondsOf(undefined))
    }
  })
}

/**
 * Stores a message the session just sent (sendMessage's result) with the Signal key changes its encryption made, in
 * the transaction shared with the other sends of this turn (store.groupCommit), and announces it once committed;
 * resolves with whether it is in the store now.
 */
export async function ingestSentMessage(store: Store, events: HostEvents, sessionId: string, msg: WAMessage): Promise<boolean> {
  const parts = storedParts(msg)
  if (!parts) return false
  // Baileys' own upsert of this object may be processed before the shared transaction runs: it is skipped either way
  storedSends.set(msg, { status: parts.status, receipts: msg.userReceipt?.length ?? 0, content: msg.message })
  try {
    await store.groupCommit.run(() => storeMessage(store, events, sessionId, msg, parts), result => result?.announce?.())
    return true
  } catch (err) {
    storedSends.delete(msg)
    throw err
  }
}

/** `status` as it was when the message was handed to the store (Baileys may change it on the object later) */
type StoredParts = { chat: string; id: string; content: proto.IMessage | undefined; type: string; status: number | null }

/** A WhatsApp timestamp (seconds, number or Long) as a number; now when there is none. */
const secondsOf = (timestamp: WAMessage['messageTimestamp']): number => Number(timestamp ?? 0) || Math.floor(Date.now() / 1000)

/** What the store keeps of `msg`; undefined when it keeps nothing of it. */
function storedParts(msg: WAMessage): StoredParts | undefined {
  const chat = msg.key.remoteJid
  const id = msg.key.id
  if (!chat || !id || chat === 'status@broadcast') return undefined
  const content = normalizeMessageContent(msg.message)
  const type = getContentType(content ?? undefined)
  return type && !SILENT_TYPES.has(type) ? { chat, id, content, type, status: msg.status ?? null } : undefined
}

/** Undefined when the message is not one the store keeps; `announce` only when it was not stored before. */
function storeMessage(
  store: Store, events: HostEvents, sessionId: string, msg: WAMessage, parts = storedParts(msg)
): { announce?: () => void } | undefined {
  if (!parts) return undefined
  const { chat, id, content, type, status } = parts
  const raw = proto.WebMessageInfo.encode(msg).finish()
  const fromMe = !!msg.key.fromMe
  // Baileys normalises a 1:1 message's missing participant to '', hence || rather than ??
  const sender = fromMe ? null : (msg.key.participant || chat)
  const timestamp = secondsOf(msg.messageTimestamp)
  const result = store.messages.upsert({
    sessionId, chatJid: chat, messageId: id, fromMe, senderJid: sender, type, text: textOf(content), status, timestamp, raw
  })
  if (!result.inserted) return {}
  store.chats.upsert({ sessionId, jid: chat, lastMessageAt: timestamp })
  const alt = msg.key.participantAlt ?? msg.key.remoteJidAlt
  const primary = msg.key.participant || chat
  if (alt && !isJidGroup(primary)) {
    const [lid, pn] = primary.endsWith('@lid') ? [primary, alt] : [alt, primary]
    if (lid.endsWith('@lid') && pn.endsWith('@s.whatsapp.net')) store.contacts.upsertLidPn(sessionId, jidNormalizedUser(lid), jidNormalizedUser(pn))
  }
  if (!fromMe && sender && msg.pushName) store.contacts.upsert({ sessionId, jid: jidNormalizedUser(sender), notify: msg.pushName })
  store.webhooks.enqueue(sessionId, fromMe ? 'message_sent' : 'message', {
    chat, id, from_me: fromMe, sender, type, text: textOf(content), timestamp, push_name: fromMe ? null : (msg.pushName ?? null)
  })
  if (fromMe) store.sessions.addBytes(sessionId, raw.length, 0)
  else store.sessions.addBytes(sessionId, 0, raw.length)
  return { announce: () => events.emit({ type: 'message', sessionId, chat, id, fromMe, messageType: type, text: textOf(content), sender, timestamp }) }
}

const CHAT_STATES = new Set(['composing', 'recording', 'paused'])

/** Webhook events for what the store keeps nothing of: group receipts, presence and chat state, group changes. */
function queueSignals(store: Store, sessionId: string, batch: Partial<BaileysEventMap>): void {
  const receipts = batch['message-receipt.update'] ?? []
  const presence = batch['presence.update']
  const groups = batch['groups.update'] ?? []
  const members = batch['group-participants.update']
  if (!receipts.length && !presence && !groups.length && !members) return
  inTransaction(store.db, () => {
    for (const { key, receipt } of receipts) {
      if (!key.remoteJid || !key.id) continue
      store.webhooks.enqueue(sessionId, 'receipt', {
        chat: key.remoteJid, ids: [key.id], participant: receipt.userJid ?? null,
        receipt: receipt.playedTimestamp ? 'played' : receipt.readTimestamp ? 'read' : 'delivered'
      })
    }
    for (const [jid, data] of Object.entries(presence?.presences ?? {})) {
      const state = data.lastKnownPresence
      if (state === 'available' || state === 'unavailable') {
        store.webhooks.enqueue(sessionId, 'presence', { jid, presence: state, last_seen: typeof data.lastSeen === 'number' ? data.lastSeen : null })
      } else if (CHAT_STATES.has(state)) {
        store.webhooks.enqueue(sessionId, 'chatstate', { chat: presence!.id, jid, state: state as 'composing' | 'recording' | 'paused' })
      }
    }
    for (const group of groups) {
      if (!group.id) continue
      store.webhooks.enqueue(sessionId, 'group', { jid: group.id, action: 'update', participants: [], subject: group.subject ?? null, author: group.author ?? null })
    }
    if (members && members.action !== 'modify') {
      store.webhooks.enqueue(sessionId, 'group', {
        jid: members.id, action: members.action, participants: members.participants.map(p => p.id), subject: null, author: members.author || null
      })
    }
  })
}
