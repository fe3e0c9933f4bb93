/**
 * The native webhook event: what the outbox stores for every event, and what a webhook in the `native` format
 * receives as its body. The other formats (formats/) are rendered from it, so this is the one source of an
 * event's content. One zod schema per event type gives the TypeScript types and the OpenAPI document's shape.
 */
import { z } from 'zod'
import { sessionStatusSchema } from '../../shared/domain.js'

const jid = z.string().describe('a WhatsApp JID: `<number>@s.whatsapp.net`, `<id>@lid` or `<id>@g.us`')

export const MESSAGE_ACK_STATUSES = ['error', 'pending', 'server_ack', 'delivered', 'read', 'played'] as const

const messageData = z.object({
  chat: jid,
  id: z.string().describe('WhatsApp\'s message id'),
  from_me: z.boolean(),
  sender: jid.nullable().describe('who wrote it (null for your own)'),
  type: z.string().describe('Baileys\' content type: conversation, extendedTextMessage, imageMessage, …'),
  text: z.string().nullable().describe('the text or caption'),
  timestamp: z.number().int().describe('seconds since epoch, as WhatsApp stamped it'),
  push_name: z.string().nullable().describe('the sender\'s display name, when WhatsApp sent one')
})

const dataByType = {
  message: messageData.describe('a message received'),
  message_sent: messageData.describe('a message this session sent (from the API or from the phone)'),
  message_ack: z.object({
    chat: jid, id: z.string(), from_me: z.boolean(),
    status: z.enum(MESSAGE_ACK_STATUSES).describe('how far the message got'),
    error: z.string().nullable().describe('the error code of a refused send')
  }).describe('a sent message\'s status rose'),
  receipt: z.object({
    chat: jid, ids: z.array(z.string()), participant: jid.nullable(),
    receipt: z.enum(['delivered', 'read', 'played'])
  }).describe('a group member received or read messages'),
  status: z.object({ status: sessionStatusSchema, reason: z.string().nullable() }).describe('the session\'s status changed'),
  qr: z.object({ qr: z.string().describe('the QR string to render'), expires_at: z.number().int().describe('ms since epoch') }),
  pair_code: z.object({ code: z.string() }),
  connected: z.object({ phone_number: z.string().nullable(), push_name: z.string().nullable(), lid: z.string().nullable() })
    .describe('logged in and ready'),
  disconnected: z.object({ reason: z.string().nullable() }),
  logged_out: z.object({ reason: z.string() }).describe('the device was unlinked: a new QR or pairing code is needed'),
  presence: z.object({ jid, presence: z.enum(['available', 'unavailable']), last_seen: z.number().int().nullable() }),
  chatstate: z.object({ chat: jid, jid, state: z.enum(['composing', 'recording', 'paused']) }),
  group: z.object({
    jid, action: z.enum(['update', 'add', 'remove', 'promote', 'demote']),
    participants: z.array(jid), subject: z.string().nullable(), author: jid.nullable()
  }).describe('a group\'s settings or members changed')
} as const

export type WebhookEventType = keyof typeof dataByType
export type WebhookEventData<T extends WebhookEventType> = z.infer<(typeof dataByType)[T]>

const envelope = <T extends WebhookEventType>(type: T) => z.object({
  id: z.string().describe('the event\'s id: the same on every attempt, so receivers can drop duplicates'),
  type: z.literal(type),
  session_id: z.string(),
  timestamp: z.number().int().describe('when the event happened, ms since epoch'),
  data: dataByType[type]
})

const TYPES = Object.keys(dataByType) as WebhookEventType[]

export const webhookEventSchema = z.discriminatedUnion('type', TYPES.map(envelope) as unknown as [
  ReturnType<typeof envelope<'message'>>, ...ReturnType<typeof envelope<WebhookEventType>>[]
])

export type WebhookEvent = { [T in WebhookEventType]: { id: string; type: T; session_id: string; timestamp: number; data: WebhookEventData<T> } }[WebhookEventType]
export type WebhookEventOf<T extends WebhookEventType> = Extract<WebhookEvent, { type: T }>
