/**
 * `/chat/*`: sends of every kind, chat presence, read receipts, reactions, and the four downloads by media
 * descriptor. Every send answers `{Details: "Sent", Id, Timestamp}`.
 */
import { z } from 'zod'
import type { SentMessage } from '../../../../shared/operations.js'
import { ConflictError } from '../../../errors.js'
import type { DescriptorMediaKind } from '../../../operations/media-download.js'
import { chatOf, type ContextInfo, contextInfoSchema, readBody, required } from './input.js'
import { WuzapiError } from './respond.js'
import type { WuzapiContext, WuzapiRoute } from './route.js'
import { rfc3339 } from './shapes.js'

const S = '/api/v1/sessions/{session_id}'

const sent = (message: SentMessage, id = message.id) => ({ Details: 'Sent', Id: id, Timestamp: rfc3339(message.timestamp) })

/** The reply and mentions of a send, and its caller-chosen message id (`Id`). */
function context(info: ContextInfo, id?: string) {
  return {
    ...(id ? { messageId: id } : {}),
    ...(info?.StanzaID ? { replyTo: info.StanzaID } : {}),
    ...(info?.MentionedJID?.length ? { mentions: info.MentionedJID.map(j => chatOf(j, 'MentionedJID')) } : {})
  }
}

const base = { Phone: z.string().optional(), Id: z.string().optional(), ContextInfo: contextInfoSchema }
const textSchema = z.object({ ...base, Body: z.string().optional() })
const buttonSchema = z.object({
  DisplayText: z.string().optional(), Type: z.string().optional(), Url: z.string().optional(), PhoneNumber: z.string().optional(), Id: z.string().optional()
})
const templateSchema = z.object({ ...base, Content: z.string().optional(), Footer: z.string().optional(), Buttons: z.array(buttonSchema).optional() })
const audioSchema = z.object({ ...base, Audio: z.string().optional() })
const imageSchema = z.object({ ...base, Image: z.string().optional(), Caption: z.string().optional() })
const documentSchema = z.object({ ...base, Document: z.string().optional(), FileName: z.string().optional(), Caption: z.string().optional(), MimeType: z.string().optional() })
const videoSchema = z.object({ ...base, Video: z.string().optional(), Caption: z.string().optional(), JpegThumbnail: z.string().optional() })
const stickerSchema = z.object({ ...base, Sticker: z.string().optional(), PngThumbnail: z.string().optional() })
const locationSchema = z.object({ ...base, Latitude: z.number().optional(), Longitude: z.number().optional(), Name: z.string().optional() })
const contactSchema = z.object({ ...base, Name: z.string().optional(), Vcard: z.string().optional() })
const presenceSchema = z.object({ Phone: z.string().optional(), State: z.string().optional(), Media: z.string().optional() })
const markReadSchema = z.object({
  Id: z.array(z.string()).optional(), Chat: z.string().optional(), ChatPhone: z.string().optional(), Sender: z.string().optional(), SenderPhone: z.string().optional()
})
const reactSchema = z.object({ Phone: z.string().optional(), Body: z.string().optional(), Id: z.string().optional() })
const deleteSchema = z.object({ Phone: z.string().optional(), Id: z.string().optional() })
const downloadSchema = z.object({
  Url: z.string().optional(), DirectPath: z.string().optional(), MediaKey: z.string().optional(), Mimetype: z.string().optional(),
  FileEncSHA256: z.string().optional(), FileSHA256: z.string().optional(), FileLength: z.number().optional()
})

/**
 * A template as Baileys 7 can deliver it: WhatsApp no longer shows template and button messages sent by linked
 * devices, so the content, the buttons (as lines: a quick reply's text, a link's URL, a call button's number) and
 * the footer (in italics) go as one text message.
 */
export function templateText(content: string, buttons: z.output<typeof buttonSchema>[], footer?: string): string {
  const lines = buttons.map(b => {
    const text = b.DisplayText ?? ''
    switch ((b.Type ?? 'quickreply').toLowerCase()) {
      case 'url': return `• ${text}: ${b.Url ?? ''}`
      case 'call': return `• ${text}: ${b.PhoneNumber ? `+${b.PhoneNumber.replace(/^\+/, '')}` : ''}`
      default: return `• ${text}`
    }
  })
  return [content, ...(lines.length ? ['', ...lines] : []), ...(footer ? ['', `_${footer}_`] : [])].join('\n')
}

/** The first phone number of a vCard (its `waid` when given) and its organisation. */
export function vcardContact(vcard: string): { phone: string; organization?: string } {
  const tel = /^(?:item\d+\.)?TEL([^:\r\n]*):([^\r\n]*)$/im.exec(vcard)
  if (!tel) throw new WuzapiError(400, 'Could not find a phone number (TEL) in Vcard')
  const phone = /waid=(\d+)/i.exec(tel[1])?.[1] ?? tel[2].replace(/[^\d]/g, '')
  const org = /^ORG:([^\r\n]*)$/im.exec(vcard)?.[1].split(';').filter(Boolean).join(', ')
  return { phone, ...(org ? { organization: org } : {}) }
}

type Handler = (ctx: WuzapiContext) => Promise<unknown>

function download(kind: DescriptorMediaKind): Handler {
  return async ({ host, ops, sessionId, body }) => {
    const input = readBody(downloadSchema, body)
    const mediaKey = required(input.MediaKey, 'MediaKey')
    if (!input.Url && !input.DirectPath) throw new WuzapiError(400, 'Missing Url in Payload')
    if (!host.sessions.get(sessionId).socket) throw new ConflictError('session not linked')
    const media = await ops.messages.downloadMediaDescriptor(sessionId, {
      kind, mediaKey,
      ...(input.Url ? { url: input.Url } : {}),
      ...(input.DirectPath ? { directPath: input.DirectPath } : {}),
      ...(input.Mimetype ? { mimetype: input.Mimetype } : {}),
      ...(input.FileSHA256 ? { fileSha256: input.FileSHA256 } : {}),
      ...(input.FileLength ? { fileLength: input.FileLength } : {})
    })
    return { Data: `data:${media.mimetype};base64,${media.bytes.toString('base64')}`, Mimetype: media.mimetype }
  }
}

const send = (method: 'post', path: string, native: string, handler: Handler): WuzapiRoute => ({ method, path, auth: 'session', native: native.startsWith('/') ? `POST ${S}${native}` : native, handler })
const DESCRIPTOR_DOWNLOAD = 'none: the host operation `downloadMediaDescriptor` (the native API downloads by message id, `GET S/messages/{id}/media`)'

export const chatRoutes: WuzapiRoute[] = [
  send('post', '/chat/send/text', '/messages/text', async ({ ops, sessionId, body }) => {
    const i = readBody(textSchema, body)
    const to = chatOf(required(i.Phone, 'Phone'))
    return sent(await ops.messages.sendText(sessionId, { to, text: required(i.Body, 'Body'), ...context(i.ContextInfo, i.Id) }))
  }),
  send('post', '/chat/send/template', '/messages/text', async ({ ops, sessionId, body }) => {
    const i = readBody(templateSchema, body)
    const to = chatOf(required(i.Phone, 'Phone'))
    const text = templateText(required(i.Content, 'Content'), i.Buttons ?? [], i.Footer)
    return sent(await ops.messages.sendText(sessionId, { to, text, ...context(i.ContextInfo, i.Id) }))
  }),
  send('post', '/chat/send/audio', '/messages/audio', async ({ ops, sessionId, body }) => {
    const i = readBody(audioSchema, body)
    const to = chatOf(required(i.Phone, 'Phone'))
    // wuzapi sends every audio as a voice note
    return sent(await ops.messages.sendVoice(sessionId, { to, audio: required(i.Audio, 'Audio'), ...context(i.ContextInfo, i.Id) }))
  }),
  send('post', '/chat/send/image', '/messages/image', async ({ ops, sessionId, body }) => {
    const i = readBody(imageSchema, body)
    const to = chatOf(required(i.Phone, 'Phone'))
    return sent(await ops.messages.sendImage(sessionId, { to, image: required(i.Image, 'Image'), ...(i.Caption ? { caption: i.Caption } : {}), ...context(i.ContextInfo, i.Id) }))
  }),
  send('post', '/chat/send/document', '/messages/document', async ({ ops, sessionId, body }) => {
    const i = readBody(documentSchema, body)
    const to = chatOf(required(i.Phone, 'Phone'))
    const document = required(i.Document, 'Document')
    const fileName = required(i.FileName, 'FileName')
    return sent(await ops.messages.sendDocument(sessionId, {
      to, document, fileName, ...(i.MimeType ? { mimetype: i.MimeType } : {}), ...(i.Caption ? { caption: i.Caption } : {}), ...context(i.ContextInfo, i.Id)
    }))
  }),
  send('post', '/chat/send/video', '/messages/video', async ({ ops, sessionId, body }) => {
    const i = readBody(videoSchema, body)
    const to = chatOf(required(i.Phone, 'Phone'))
    return sent(await ops.messages.sendVideo(sessionId, { to, video: required(i.Video, 'Video'), ...(i.Caption ? { caption: i.Caption } : {}), ...context(i.ContextInfo, i.Id) }))
  }),
  send('post', '/chat/send/sticker', '/messages/sticker', async ({ ops, sessionId, body }) => {
    const i = readBody(stickerSchema, body)
    const to = chatOf(required(i.Phone, 'Phone'))
    return sent(await ops.messages.sendSticker(sessionId, { to, sticker: required(i.Sticker, 'Sticker'), ...context(i.ContextInfo, i.Id) }))
  }),
  send('post', '/chat/send/location', '/messages/location', async ({ ops, sessionId, body }) => {
    const i = readBody(locationSchema, body)
    const to = chatOf(required(i.Phone, 'Phone'))
    // wuzapi takes 0 for a missing coordinate
    if (!i.Latitude) throw new WuzapiError(400, 'Missing Latitude in Payload')
    if (!i.Longitude) throw new WuzapiError(400, 'Missing Longitude in Payload')
    return sent(await ops.messages.sendLocation(sessionId, { to, latitude: i.Latitude, longitude: i.Longitude, ...(i.Name ? { name: i.Name } : {}), ...context(i.ContextInfo, i.Id) }))
  }),
  send('post', '/chat/send/contact', '/messages/contact', async ({ ops, sessionId, body }) => {
    const i = readBody(contactSchema, body)
    const to = chatOf(required(i.Phone, 'Phone'))
    const name = required(i.Name, 'Name')
    const card = vcardContact(required(i.Vcard, 'Vcard'))
    return sent(await ops.messages.sendContact(sessionId, { to, contact: { name, ...card }, vcard: i.Vcard, ...context(i.ContextInfo, i.Id) }))
  }),
  send('post', '/chat/presence', '/chatstate', async ({ ops, sessionId, body }) => {
    const i = readBody(presenceSchema, body)
    const chat = chatOf(required(i.Phone, 'Phone'))
    const state = required(i.State, 'State')
    if (state !== 'composing' && state !== 'paused') throw new WuzapiError(400, 'Invalid State: use "composing" or "paused"')
    await ops.presence.sendChatState(sessionId, { chat, state: state === 'composing' && i.Media === 'audio' ? 'recording' : state })
    return { Details: 'Chat presence set successfuly' }
  }),
  send('post', '/chat/markread', '/messages/read', async ({ ops, sessionId, body }) => {
    const i = readBody(markReadSchema, body)
    const messageIds = required(i.Id, 'Id')
    const chat = chatOf(required(i.ChatPhone || i.Chat, 'Chat'), 'Chat')
    await ops.messages.markRead(sessionId, { chat, messageIds })
    return { Details: 'Message(s) marked as read' }
  }),
  send('post', '/chat/react', '/messages/react', async ({ ops, sessionId, body }) => {
    const i = readBody(reactSchema, body)
    const chat = chatOf(required(i.Phone, 'Phone'))
    const emoji = required(i.Body, 'Body')
    const messageId = required(i.Id, 'Id').replace(/^me:/, '')
    const reaction = await ops.messages.sendReaction(sessionId, { chat, messageId, emoji: emoji === 'remove' ? '' : emoji })
    // wuzapi answers with the id of the message reacted to
    return sent(reaction, messageId)
  }),
  send('post', '/chat/send/edit', '/messages/edit', async ({ ops, sessionId, body }) => {
    const i = readBody(reactSchema, body)
    const chat = chatOf(required(i.Phone, 'Phone'))
    const text = required(i.Body, 'Body')
    const messageId = required(i.Id, 'Id').replace(/^me:/, '')
    return sent(await ops.messages.edit(sessionId, { chat, messageId, text }), messageId)
  }),
  send('post', '/chat/delete', '/messages/revoke', async ({ ops, sessionId, body }) => {
    const i = readBody(deleteSchema, body)
    const chat = chatOf(required(i.Phone, 'Phone'))
    const messageId = required(i.Id, 'Id').replace(/^me:/, '')
    const revoked = await ops.messages.revoke(sessionId, { chat, messageId })
    return { ...sent(revoked, messageId), Details: 'Deleted' }
  }),
  send('post', '/chat/downloadimage', DESCRIPTOR_DOWNLOAD, download('image')),
  send('post', '/chat/downloadvideo', DESCRIPTOR_DOWNLOAD, download('video')),
  send('post', '/chat/downloadaudio', DESCRIPTOR_DOWNLOAD, download('audio')),
  send('post', '/chat/downloaddocument', DESCRIPTOR_DOWNLOAD, download('document'))
]
