/**
 * Sending messages of every kind, and acting on stored ones: react, edit, revoke, mark read. A sent message is
 * stored as soon as Baileys returns it (the fromMe upsert Baileys emits a moment later finds it stored); a send
 * returns once it is stored, so a caller that lists messages next finds it.
 */
import {
  type AnyMessageContent, type MiscMessageGenerationOptions, type WAMessage, type WASocket, getContentType, isJidGroup,
  normalizeMessageContent
} from '@whiskeysockets/baileys'
import type { z } from 'zod'
import {
  editMessageInputSchema, markReadInputSchema, type MarkReadResult, phoneDigits, revokeMessageInputSchema, sendAudioInputSchema,
  sendContactInputSchema, sendDocumentInputSchema, sendImageInputSchema, sendLocationInputSchema, sendReactionInputSchema,
  sendStickerInputSchema, sendTextInputSchema, sendVideoInputSchema, sendVoiceInputSchema, type SentMessage
} from '../../shared/operations.js'
import { ConflictError, OperationError, ValidationError } from '../errors.js'
import { ingestSentMessage } from '../sessions/message-ingest.js'
import {
  findStoredMessage, linkedSocket, type OperationOptions, type OperationsHost, parseInput, resolveRecipient, toJid, waitForStored,
  whatsapp
} from './common.js'
import { resolveMedia } from './media-input.js'

interface SendOptions {
  to: string
  replyTo?: string
  messageId?: string
  mentions?: string[]
}

/** The common path of every send: a linked socket, content built once the session is known, recipient, quote. */
async function send(
  host: OperationsHost, sessionId: string, options: OperationOptions, target: SendOptions,
  build: (sock: WASocket) => Promise<AnyMessageContent> | AnyMessageContent
): Promise<SentMessage> {
  const sock = linkedSocket(host, sessionId)
  // WhatsApp would take a second message with the same id as the first one again: refuse it here, clearly
  if (target.messageId && host.store.messages.getRaw(sessionId, target.messageId)) throw new ConflictError(`a message with id ${target.messageId} exists`)
  const quoted = target.replyTo ? findStoredMessage(host, sessionId, target.replyTo) : undefined
  const content = await build(sock)
  const jid = await resolveRecipient(sock, toJid(target.to))
  if (target.mentions?.length) (content as { mentions?: string[] }).mentions = target.mentions.map(toJid)
  const generation: MiscMessageGenerationOptions = { ...(quoted ? { quoted } : {}), ...(target.messageId ? { messageId: target.messageId } : {}) }
  return deliver(host, sessionId, options, sock, jid, content, generation)
}

async function deliver(
  host: OperationsHost, sessionId: string, options: OperationOptions, sock: WASocket, jid: string, content: AnyMessageContent,
  generation: MiscMessageGenerationOptions = {}, targetId?: string
): Promise<SentMessage> {
  const sent = await whatsapp('send the message', () => sock.sendMessage(jid, content, generation))
  if (!sent?.key.id) throw new OperationError('could not send the message: WhatsApp gave no message id')
  const result = sentResult(sent, targetId)
  // Protocol messages (edits, revokes) are not stored as messages of their own. Everything else is stored now,
  // from what sendMessage returned, rather than when Baileys emits it a moment later (which is then skipped).
  if (result.type !== 'protocolMessage') {
    if (!(await ingestSentMessage(host.store, host.events, sessionId, sent))) await waitForStored(host, sessionId, result.chat, result.id, options)
  }
  return result
}

function sentResult(sent: WAMessage, targetId?: string): SentMessage {
  return {
    id: sent.key.id!,
    chat: sent.key.remoteJid!,
    timestamp: Number(sent.messageTimestamp ?? Math.floor(Date.now() / 1000)),
    type: getContentType(normalizeMessageContent(sent.message)) ?? 'unknown',
    ...(targetId ? { targetId } : {})
  }
}

export async function sendText(host: OperationsHost, sessionId: string, input: z.input<typeof sendTextInputSchema>, options: OperationOptions = {}): Promise<SentMessage> {
  const i = parseInput(sendTextInputSchema, input)
  return send(host, sessionId, options, i, () => ({ text: i.text }))
}

export async function sendImage(host: OperationsHost, sessionId: string, input: z.input<typeof sendImageInputSchema>, options: OperationOptions = {}): Promise<SentMessage> {
  const i = parseInput(sendImageInputSchema, input)
  return send(host, sessionId, options, i, async () => {
    const media = await resolveMedia(i.image, 'image', { field: 'image', mimetype: i.mimetype }, options)
    return { image: media.bytes, mimetype: media.mimetype, ...(i.caption ? { caption: i.caption } : {}) }
  })
}

export async function sendVideo(host: OperationsHost, sessionId: string, input: z.input<typeof sendVideoInputSchema>, options: OperationOptions = {}): Promise<SentMessage> {
  const i = parseInput(sendVideoInputSchema, input)
  return send(host, sessionId, options, i, async () => {
    const media = await resolveMedia(i.video, 'video', { field: 'video', mimetype: i.mimetype }, options)
    return { video: media.bytes, mimetype: media.mimetype, ...(i.caption ? { caption: i.caption } : {}), ...(i.gifPlayback ? { gifPlayback: true } : {}) }
  })
}

export async function sendAudio(host: OperationsHost, sessionId: string, input: z.input<typeof sendAudioInputSchema>, options: OperationOptions = {}): Promise<SentMessage> {
  const i = parseInput(sendAudioInputSchema, input)
  return send(host, sessionId, options, i, async () => {
    const media = await resolveMedia(i.audio, 'audio', { field: 'audio', mimetype: i.mimetype }, options)
    // WhatsApp's apps play voice notes as OGG/Opus and say so in the type
    const mimetype = i.ptt && media.mimetype === 'audio/ogg' ? 'audio/ogg; codecs=opus' : media.mimetype
    return { audio: media.bytes, mimetype, ptt: !!i.ptt }
  })
}

/** A voice note: sendAudio with ptt. */
export async function sendVoice(host: OperationsHost, sessionId: string, input: z.input<typeof sendVoiceInputSchema>, options: OperationOptions = {}): Promise<SentMessage> {
  const i = parseInput(sendVoiceInputSchema, input)
  return sendAudio(host, sessionId, { ...i, ptt: true }, options)
}

export async function sendDocument(host: OperationsHost, sessionId: string, input: z.input<typeof sendDocumentInputSchema>, options: OperationOptions = {}): Promise<SentMessage> {
  const i = parseInput(sendDocumentInputSchema, input)
  return send(host, sessionId, options, i, async () => {
    const media = await resolveMedia(i.document, 'document', { field: 'document', mimetype: i.mimetype, fileName: i.fileName }, options)
    const fileName = i.fileName ?? media.fileName ?? 'file'
    return { document: media.bytes, mimetype: media.mimetype, fileName, ...(i.caption ? { caption: i.caption } : {}) }
  })
}

export async function sendSticker(host: OperationsHost, sessionId: string, input: z.input<typeof sendStickerInputSchema>, options: OperationOptions = {}): Promise<SentMessage> {
  const i = parseInput(sendStickerInputSchema, input)
  return send(host, sessionId, options, i, async () => {
    const media = await resolveMedia(i.sticker, 'sticker', { field: 'sticker' }, options)
    return { sticker: media.bytes, mimetype: media.mimetype }
  })
}

export async function sendLocation(host: OperationsHost, sessionId: string, input: z.input<typeof sendLocationInputSchema>, options: OperationOptions = {}): Promise<SentMessage> {
  const i = parseInput(sendLocationInputSchema, input)
  return send(host, sessionId, options, i, () => ({
    location: {
      degreesLatitude: i.latitude,
      degreesLongitude: i.longitude,
      ...(i.name ? { name: i.name } : {}),
      ...(i.address ? { address: i.address } : {})
    }
  }))
}

/** vCard text values escape backslash, comma, semicolon and newlines (RFC 6350 §3.4). */
const vcardText = (value: string) => value.replace(/[\\,;]/g, c => `\\${c}`).replace(/\r?\n/g, '\\n')

/** A vCard 3.0 for one person, with the `waid` parameter WhatsApp uses to offer "message" and "add". */
export function buildVcard(contact: { name: string; phone: string; organization?: string }): string {
  const digits = phoneDigits(contact.phone)
  if (!digits) throw new ValidationError('contact.phone: not a phone number')
  return [
    'BEGIN:VCARD',
    'VERSION:3.0',
    `N:;${vcardText(contact.name)};;;`,
    `FN:${vcardText(contact.name)}`,
    ...(contact.organization ? [`ORG:${vcardText(contact.organization)}`] : []),
    `TEL;type=CELL;type=VOICE;waid=${digits}:+${digits}`,
    'END:VCARD'
  ].join('\n')
}

export async function sendContact(host: OperationsHost, sessionId: string, input: z.input<typeof sendContactInputSchema>, options: OperationOptions = {}): Promise<SentMessage> {
  const i = parseInput(sendContactInputSchema, input)
  const vcard = i.vcard ?? buildVcard(i.contact)
  return send(host, sessionId, options, i, () => ({
    contacts: { displayName: i.contact.name, contacts: [{ displayName: i.contact.name, vcard }] }
  }))
}

/** A stored message to act on, and the socket to act with. */
function target(host: OperationsHost, sessionId: string, input: { chat?: string; messageId: string }): { sock: WASocket; msg: WAMessage; chat: string } {
  const sock = linkedSocket(host, sessionId)
  const msg = findStoredMessage(host, sessionId, input.messageId, input.chat ? toJid(input.chat) : undefined)
  const chat = msg.key.remoteJid
  if (!chat) throw new OperationError(`message ${input.messageId} has no chat`)
  return { sock, msg, chat }
}

/** Reacts to a stored message with an emoji; an empty emoji removes the session's reaction. */
export async function sendReaction(host: OperationsHost, sessionId: string, input: z.input<typeof sendReactionInputSchema>, options: OperationOptions = {}): Promise<SentMessage> {
  const i = parseInput(sendReactionInputSchema, input)
  const { sock, msg, chat } = target(host, sessionId, i)
  return deliver(host, sessionId, options, sock, chat, { react: { text: i.emoji, key: msg.key } }, {}, i.messageId)
}

const isText = (msg: WAMessage) => {
  const content = normalizeMessageContent(msg.message)
  return !!(content?.conversation || content?.extendedTextMessage)
}

/** Replaces the text of one of the session's own text messages (WhatsApp allows this for 15 minutes). */
export async function editMessage(host: OperationsHost, sessionId: string, input: z.input<typeof editMessageInputSchema>, options: OperationOptions = {}): Promise<SentMessage> {
  const i = parseInput(editMessageInputSchema, input)
  const { sock, msg, chat } = target(host, sessionId, i)
  if (!msg.key.fromMe) throw new ValidationError(`message ${i.messageId} was not sent by this session: only your own messages can be edited`)
  if (!isText(msg)) throw new ValidationError(`message ${i.messageId} is not a text message: only text can be edited`)
  return deliver(host, sessionId, options, sock, chat, { text: i.text, edit: msg.key }, {}, i.messageId)
}

/**
 * Deletes a message for everyone: the session's own, or in a group any member's (WhatsApp accepts that only from
 * an admin).
 */
export async function revokeMessage(host: OperationsHost, sessionId: string, input: z.input<typeof revokeMessageInputSchema>, options: OperationOptions = {}): Promise<SentMessage> {
  const i = parseInput(revokeMessageInputSchema, input)
  const { sock, msg, chat } = target(host, sessionId, i)
  if (!msg.key.fromMe && !isJidGroup(chat)) throw new ValidationError(`message ${i.messageId} was not sent by this session: in a 1:1 chat only your own messages can be deleted for everyone`)
  return deliver(host, sessionId, options, sock, chat, { delete: msg.key }, {}, i.messageId)
}

/** Sends read receipts for received messages of one chat. Every id must be a stored message of that chat. */
export async function markRead(host: OperationsHost, sessionId: string, input: z.input<typeof markReadInputSchema>): Promise<MarkReadResult> {
  const i = parseInput(markReadInputSchema, input)
  const sock = linkedSocket(host, sessionId)
  const chat = toJid(i.chat)
  const ids = [...new Set(i.messageIds)]
  const keys = ids.map(id => findStoredMessage(host, sessionId, id, chat).key)
  const received = keys.filter(k => !k.fromMe)
  if (received.length) await whatsapp('send the read receipts', () => sock.readMessages(received))
  return { chat: received[0]?.remoteJid ?? keys[0]?.remoteJid ?? chat, messageIds: received.map(k => k.id!) }
}
