/**
 * Messages (seed 004's `S/messages/...`): one route per kind of send, reactions, edits, revokes and read receipts,
 * the stored messages page by page, and a stored message's media as bytes. Each route is a thin translation of
 * snake_case JSON to the host operation of the same name (src/main/operations), which validates again and fails with
 * typed errors. Media comes as base64, a data URL or an http(s) URL in its JSON field, or as a multipart upload.
 */
import { z } from 'zod'
import {
  chatAddressSchema, messageIdSchema, parseAddress, sendContactInputSchema, sendImageInputSchema, sendLocationInputSchema,
  sendTextInputSchema, type SentMessage, userAddressSchema
} from '../../../shared/operations.js'
import type { Host } from '../../host.js'
import { createOperations } from '../../operations/index.js'
import type { MessageRecord } from '../../store/messages-repo.js'
import { component } from '../components.js'
import type { ApiRegistry, UploadedFile } from '../registry.js'
import { sessionPathSchema } from './schemas.js'

const SESSION = '/api/v1/sessions/{session_id}'
const tags = ['messages']

/** The host's operations (a few closures: cheap to build per request). */
const operationsByHost = new WeakMap<Host, ReturnType<typeof createOperations>>()
/** The host's operations, bound once per host rather than on every request. */
export function operationsOf(host: Host): ReturnType<typeof createOperations> {
  let ops = operationsByHost.get(host)
  if (!ops) operationsByHost.set(host, (ops = createOperations(host)))
  return ops
}

// ---- schemas ----

/** Media in a JSON field; a multipart upload's `file` part takes its place. */
export const mediaFieldSchema = (what: string) => z.string().min(1, 'must not be empty')
  .describe(`the ${what}: base64, a data URL (data:<mimetype>;base64,…) or an http(s) URL to fetch; or send the request as multipart/form-data with the file as the \`file\` part`)

const to = chatAddressSchema.describe('the recipient: a phone number with country code, a group JID (…@g.us) or a LID (…@lid)')
const replyTo = messageIdSchema.optional().describe('the id of a stored message to quote')
const mentions = z.array(userAddressSchema).max(1024).optional().describe('people to mention (their numbers or LIDs)')
const caption = z.string().max(4096).optional().describe('shown under the media')
const mimetype = sendImageInputSchema.shape.mimetype.describe('the media\'s MIME type, when its bytes do not tell (they usually do)')

export const sentMessageResponseSchema = component(z.object({
  id: z.string().describe('the new message\'s id'),
  chat: z.string().describe('the chat\'s JID'),
  timestamp: z.number().int().describe('unix time, seconds (WhatsApp\'s)'),
  type: z.string().describe('WhatsApp\'s content type: extendedTextMessage, imageMessage, reactionMessage, protocolMessage (edits, revokes)…')
}), { id: 'SentMessage', examples: [{ id: '3EB0C767D71D4A2B9F41', chat: '628123456789@s.whatsapp.net', timestamp: 1767143203, type: 'extendedTextMessage' }] })

const sendTextSchema = component(z.strictObject({ to, text: sendTextInputSchema.shape.text, reply_to: replyTo, mentions }), {
  id: 'SendTextRequest', examples: [{ to: '+628123456789', text: 'Hello!' }]
})
const sendImageSchema = component(z.strictObject({ to, image: mediaFieldSchema('image (JPEG, PNG or WebP)'), mimetype, caption, reply_to: replyTo, mentions }), {
  id: 'SendImageRequest', examples: [{ to: '+628123456789', image: 'https://example.com/photo.jpg', caption: 'a photo' }]
})
const sendVideoSchema = component(z.strictObject({
  to, video: mediaFieldSchema('video (MP4 or 3GP)'), mimetype, caption,
  gif_playback: z.boolean().optional().describe('play as a looping GIF'), reply_to: replyTo, mentions
}), { id: 'SendVideoRequest' })
const sendAudioSchema = component(z.strictObject({
  to, audio: mediaFieldSchema('audio (OGG/Opus, MP3, M4A, AAC or AMR)'), mimetype,
  ptt: z.boolean().optional().describe('send as a voice note (push-to-talk)'), reply_to: replyTo
}), { id: 'SendAudioRequest' })
const sendDocumentSchema = component(z.strictObject({
  to, document: mediaFieldSchema('document (any type)'),
  file_name: z.string().trim().min(1).max(255).optional().describe('shown to the recipient; default: the uploaded file\'s name, the URL\'s last path segment, or "file"'),
  mimetype, caption, reply_to: replyTo
}), { id: 'SendDocumentRequest' })
const sendStickerSchema = component(z.strictObject({ to, sticker: mediaFieldSchema('sticker (WebP)'), reply_to: replyTo }), { id: 'SendStickerRequest' })
const sendLocationSchema = component(z.strictObject({
  to, latitude: sendLocationInputSchema.shape.latitude, longitude: sendLocationInputSchema.shape.longitude,
  name: z.string().max(1024).optional(), address: z.string().max(1024).optional(), reply_to: replyTo
}), { id: 'SendLocationRequest', examples: [{ to: '+628123456789', latitude: -6.2, longitude: 106.816666, name: 'Monas' }] })
const sendContactSchema = component(z.strictObject({
  to, contact: z.strictObject(sendContactInputSchema.shape.contact.shape).describe('the person to share, sent as a vCard'), reply_to: replyTo
}), { id: 'SendContactRequest', examples: [{ to: '+628123456789', contact: { name: 'John Doe', phone: '+628987654321' } }] })

const targetChat = chatAddressSchema.optional().describe('the chat the message is in (optional: the id alone finds it)')
const targetId = messageIdSchema.describe('the stored message to act on')
const reactSchema = component(z.strictObject({ chat: targetChat, message_id: targetId, emoji: z.string().max(32).describe('one emoji; an empty string removes your reaction') }), {
  id: 'ReactRequest', examples: [{ message_id: '3EB0C767D71D4A2B9F41', emoji: '👍' }]
})
const editSchema = component(z.strictObject({ chat: targetChat, message_id: targetId, text: sendTextInputSchema.shape.text.describe('the new text') }), { id: 'EditMessageRequest' })
const revokeSchema = component(z.strictObject({ chat: targetChat, message_id: targetId }), { id: 'RevokeMessageRequest' })
const readSchema = component(z.strictObject({
  chat: chatAddressSchema.describe('the chat the messages are in'),
  message_ids: z.array(messageIdSchema).min(1).max(1024).describe('received messages of that chat')
}), { id: 'MarkReadRequest' })
const readResponseSchema = component(z.object({
  chat: z.string(),
  message_ids: z.array(z.string()).describe('the received messages a read receipt was sent for (your own are skipped)')
}), { id: 'MarkReadResult' })

/** proto.WebMessageInfo.Status by name, as the API shows a message's status (stored messages, `message_ack` events). */
export const STATUS_NAMES = ['error', 'pending', 'server_ack', 'delivery_ack', 'read', 'played'] as const
const MEDIA_TYPES = new Set(['imageMessage', 'videoMessage', 'audioMessage', 'documentMessage', 'stickerMessage', 'ptvMessage'])

const storedMessageSchema = component(z.object({
  seq: z.number().int().positive().describe('the store\'s cursor: ever increasing'),
  id: z.string(),
  chat: z.string().describe('the chat\'s JID'),
  from_me: z.boolean(),
  sender: z.string().nullable().describe('who sent it (in groups, the member)'),
  type: z.string().nullable().describe('WhatsApp\'s content type (conversation, imageMessage…)'),
  text: z.string().nullable().describe('the text or caption'),
  status: z.enum(STATUS_NAMES).nullable().describe('how far it got: error, pending, server_ack, delivery_ack, read, played'),
  timestamp: z.number().int().nullable().describe('unix time, seconds (WhatsApp\'s)'),
  has_media: z.boolean().describe('download it with GET …/messages/{message_id}/media'),
  edited_at: z.number().int().nullable().describe('when its sender edited it (unix seconds); `text` is the edited text'),
  revoked_at: z.number().int().nullable().describe('when its sender deleted it for everyone (unix seconds); its text and media are gone')
}), { id: 'StoredMessage' })

const listMessagesQuerySchema = z.object({
  chat: chatAddressSchema.optional().describe('only this chat'),
  after: z.coerce.number().int().nonnegative().optional().describe('the cursor: only messages with a larger `seq` (the `next_after` of the previous page)'),
  limit: z.coerce.number().int().min(1).max(500).default(50).describe('at most this many (1–500, default 50)')
})
const messageListSchema = component(z.object({
  messages: z.array(storedMessageSchema).describe('oldest first (by seq)'),
  next_after: z.number().int().nonnegative().describe('pass as `after` for the next page (or to poll for newer messages)')
}), { id: 'MessageList' })

const mediaBytesSchema = component(z.string().describe('the file\'s bytes, with its MIME type as Content-Type'), { id: 'MediaBytes' })
const messagePathSchema = sessionPathSchema.extend({ message_id: messageIdSchema.describe('the message\'s id') })

// ---- translation ----

const sent = (m: SentMessage) => ({ id: m.id, chat: m.chat, timestamp: m.timestamp, type: m.type })

/** A multipart part's type, unless it says nothing (then the bytes decide). */
const partType = (file: UploadedFile | undefined) =>
  file?.mimetype && !/^(application\/octet-stream|binary\/octet-stream)$/i.test(file.mimetype) ? file.mimetype : undefined

function toStoredMessage(m: MessageRecord) {
  return {
    seq: m.seq,
    id: m.messageId,
    chat: m.chatJid,
    from_me: m.fromMe,
    sender: m.senderJid,
    type: m.type,
    text: m.text,
    status: m.status === null ? null : (STATUS_NAMES[m.status] ?? null),
    timestamp: m.timestamp,
    has_media: m.revokedAt === null && m.type !== null && MEDIA_TYPES.has(m.type),
    edited_at: m.editedAt,
    revoked_at: m.revokedAt
  }
}

/** `filename="…"` for old clients (ASCII, quotes escaped) and `filename*` (RFC 5987) for the exact name. */
const contentDisposition = (fileName: string) =>
  `attachment; filename="${fileName.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_')}"; filename*=UTF-8''${encodeURIComponent(fileName)}`

export function registerMessageRoutes(registry: ApiRegistry): void {
  const send = { tags, access: 'session' as const, params: sessionPathSchema, errors: [409, 422] as (409 | 422)[] }
  const answer = { description: 'The message was sent (and stored).', schema: sentMessageResponseSchema }

  registry.add({
    ...send, method: 'post', path: `${SESSION}/messages/text`, operationId: 'sendTextMessage', summary: 'Send a text message',
    body: sendTextSchema, response: answer,
    handler: async ({ host, params, body }) => sent(await operationsOf(host).messages.sendText(params.session_id, {
      to: body.to, text: body.text, replyTo: body.reply_to, mentions: body.mentions
    }))
  })

  registry.add({
    ...send, method: 'post', path: `${SESSION}/messages/image`, operationId: 'sendImageMessage', summary: 'Send an image',
    body: sendImageSchema, upload: { field: 'image', description: 'the image (JPEG, PNG or WebP)' }, response: answer,
    handler: async ({ host, params, body, file }) => sent(await operationsOf(host).messages.sendImage(params.session_id, {
      to: body.to, image: body.image, mimetype: body.mimetype ?? partType(file), caption: body.caption, replyTo: body.reply_to, mentions: body.mentions
    }))
  })

  registry.add({
    ...send, method: 'post', path: `${SESSION}/messages/video`, operationId: 'sendVideoMessage', summary: 'Send a video',
    body: sendVideoSchema, upload: { field: 'video', description: 'the video (MP4 or 3GP)' }, response: answer,
    handler: async ({ host, params, body, file }) => sent(await operationsOf(host).messages.sendVideo(params.session_id, {
      to: body.to, video: body.video, mimetype: body.mimetype ?? partType(file), caption: body.caption, gifPlayback: body.gif_playback,
      replyTo: body.reply_to, mentions: body.mentions
    }))
  })

  registry.add({
    ...send, method: 'post', path: `${SESSION}/messages/audio`, operationId: 'sendAudioMessage', summary: 'Send audio or a voice note',
    body: sendAudioSchema, upload: { field: 'audio', description: 'the audio (OGG/Opus, MP3, M4A, AAC or AMR)' }, response: answer,
    handler: async ({ host, params, body, file }) => sent(await operationsOf(host).messages.sendAudio(params.session_id, {
      to: body.to, audio: body.audio, mimetype: body.mimetype ?? partType(file), ptt: body.ptt, replyTo: body.reply_to
    }))
  })

  registry.add({
    ...send, method: 'post', path: `${SESSION}/messages/document`, operationId: 'sendDocumentMessage', summary: 'Send a document',
    body: sendDocumentSchema, upload: { field: 'document', description: 'the document (any type)' }, response: answer,
    handler: async ({ host, params, body, file }) => sent(await operationsOf(host).messages.sendDocument(params.session_id, {
      to: body.to, document: body.document, fileName: body.file_name ?? file?.fileName, mimetype: body.mimetype ?? partType(file),
      caption: body.caption, replyTo: body.reply_to
    }))
  })

  registry.add({
    ...send, method: 'post', path: `${SESSION}/messages/sticker`, operationId: 'sendStickerMessage', summary: 'Send a sticker',
    body: sendStickerSchema, upload: { field: 'sticker', description: 'the sticker (WebP)' }, response: answer,
    handler: async ({ host, params, body }) => sent(await operationsOf(host).messages.sendSticker(params.session_id, {
      to: body.to, sticker: body.sticker, replyTo: body.reply_to
    }))
  })

  registry.add({
    ...send, method: 'post', path: `${SESSION}/messages/location`, operationId: 'sendLocationMessage', summary: 'Send a location',
    body: sendLocationSchema, response: answer,
    handler: async ({ host, params, body }) => sent(await operationsOf(host).messages.sendLocation(params.session_id, {
      to: body.to, latitude: body.latitude, longitude: body.longitude, name: body.name, address: body.address, replyTo: body.reply_to
    }))
  })

  registry.add({
    ...send, method: 'post', path: `${SESSION}/messages/contact`, operationId: 'sendContactMessage', summary: 'Send a contact card',
    body: sendContactSchema, response: answer,
    handler: async ({ host, params, body }) => sent(await operationsOf(host).messages.sendContact(params.session_id, {
      to: body.to, contact: body.contact, replyTo: body.reply_to
    }))
  })

  registry.add({
    ...send, method: 'post', path: `${SESSION}/messages/react`, operationId: 'reactToMessage', summary: 'React to a message',
    description: 'Reacts to a stored message with an emoji; an empty emoji removes your reaction.',
    body: reactSchema, response: { description: 'The reaction was sent.', schema: sentMessageResponseSchema },
    handler: async ({ host, params, body }) => sent(await operationsOf(host).messages.sendReaction(params.session_id, {
      chat: body.chat, messageId: body.message_id, emoji: body.emoji
    }))
  })

  registry.add({
    ...send, method: 'post', path: `${SESSION}/messages/edit`, operationId: 'editMessage', summary: 'Edit a message',
    description: 'Replaces the text of one of your own text messages (WhatsApp allows it for 15 minutes).',
    body: editSchema, response: { description: 'The edit was sent.', schema: sentMessageResponseSchema },
    handler: async ({ host, params, body }) => sent(await operationsOf(host).messages.edit(params.session_id, {
      chat: body.chat, messageId: body.message_id, text: body.text
    }))
  })

  registry.add({
    ...send, method: 'post', path: `${SESSION}/messages/revoke`, operationId: 'revokeMessage', summary: 'Delete a message for everyone',
    description: 'Your own messages; in a group, any member\'s when you are an admin.',
    body: revokeSchema, response: { description: 'The deletion was sent.', schema: sentMessageResponseSchema },
    handler: async ({ host, params, body }) => sent(await operationsOf(host).messages.revoke(params.session_id, {
      chat: body.chat, messageId: body.message_id
    }))
  })

  registry.add({
    ...send, method: 'post', path: `${SESSION}/messages/read`, operationId: 'markMessagesRead', summary: 'Mark messages read',
    description: 'Sends read receipts for received messages of one chat; every id must be a stored message of that chat.',
    body: readSchema, response: { description: 'The receipts were sent.', schema: readResponseSchema },
    handler: async ({ host, params, body }) => {
      const read = await operationsOf(host).messages.markRead(params.session_id, { chat: body.chat, messageIds: body.message_ids })
      return { chat: read.chat, message_ids: read.messageIds }
    }
  })

  registry.add({
    method: 'get', path: `${SESSION}/messages`, operationId: 'listMessages', tags, access: 'session',
    summary: 'List stored messages',
    description: 'Messages the session sent or received, oldest first, from the local store (no connection needed). Page with '
      + '`after`: pass the previous answer\'s `next_after`.',
    params: sessionPathSchema,
    query: listMessagesQuerySchema,
    response: { description: 'A page of messages.', schema: messageListSchema },
    handler: ({ host, params, query }) => {
      const chatJid = query.chat === undefined ? undefined : parseAddress(query.chat)!.jid
      const rows = host.store.messages.list({ sessionId: params.session_id, chatJid, afterSeq: query.after ?? 0, limit: query.limit })
      return { messages: rows.map(toStoredMessage), next_after: rows.at(-1)?.seq ?? query.after ?? 0 }
    }
  })

  registry.add({
    method: 'get', path: `${SESSION}/messages/{message_id}/media`, operationId: 'getMessageMedia', tags, access: 'session',
    summary: 'Download a message\'s media',
    description: 'The bytes of a stored message\'s image, video, audio, document or sticker, with its MIME type (and, when known, '
      + 'its file name in Content-Disposition). 404 for an unknown message, 400 for one without media.',
    params: messagePathSchema,
    response: { description: 'The media.', schema: mediaBytesSchema, contentType: 'application/octet-stream' },
    errors: [422],
    handler: async ({ host, params, res }) => {
      const media = await operationsOf(host).messages.downloadMedia(params.session_id, params.message_id)
      res.statusCode = 200
      res.setHeader('Content-Type', media.mimetype)
      res.setHeader('Content-Length', String(media.bytes.length))
      // whatever the bytes are, a browser must not run them as a page of this origin
      res.setHeader('Content-Security-Policy', 'default-src \'none\'; sandbox')
      if (media.fileName) res.setHeader('Content-Disposition', contentDisposition(media.fileName))
      res.end(media.bytes)
      return ''
    }
  })
}
