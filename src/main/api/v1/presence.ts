/** Presence: the session's own (online or not), and its chat state in a chat (typing, recording, stopped). */
import { z } from 'zod'
import { chatAddressSchema } from '../../../shared/operations.js'
import { component } from '../components.js'
import type { ApiRegistry } from '../registry.js'
import { operationsOf } from './messages.js'
import { sessionPathSchema } from './schemas.js'

const SESSION = '/api/v1/sessions/{session_id}'
const tags = ['presence']

const PRESENCES = ['available', 'unavailable'] as const
const CHAT_STATES = ['composing', 'recording', 'paused'] as const

const presenceSchema = component(z.strictObject({
  presence: z.enum(PRESENCES).describe('available: online; unavailable: offline')
}), { id: 'PresenceRequest', examples: [{ presence: 'available' }] })
const presenceResultSchema = component(z.object({ presence: z.enum(PRESENCES) }), { id: 'Presence' })

const chatStateSchema = component(z.strictObject({
  chat: chatAddressSchema.describe('a phone number, a LID or a group JID'),
  state: z.enum(CHAT_STATES).describe('composing: typing; recording: recording audio; paused: stopped')
}), { id: 'ChatStateRequest', examples: [{ chat: '+628123456789', state: 'composing' }] })
const chatStateResultSchema = component(z.object({ chat: z.string().describe('the chat\'s JID'), state: z.enum(CHAT_STATES) }), { id: 'ChatState' })

export function registerPresenceRoutes(registry: ApiRegistry): void {
  registry.add({
    method: 'post', path: `${SESSION}/presence`, operationId: 'setPresence', tags, access: 'session',
    summary: 'Set your presence',
    description: 'Shows the account online (`available`) or offline (`unavailable`) to its contacts.',
    params: sessionPathSchema,
    body: presenceSchema,
    response: { description: 'The presence was sent.', schema: presenceResultSchema },
    errors: [409, 422],
    handler: ({ host, params, body }) => operationsOf(host).presence.set(params.session_id, body)
  })

  registry.add({
    method: 'post', path: `${SESSION}/chatstate`, operationId: 'sendChatState', tags, access: 'session',
    summary: 'Send a chat state',
    description: 'Shows "typing…" (`composing`) or "recording audio…" (`recording`) in a chat, or stops showing it (`paused`).',
    params: sessionPathSchema,
    body: chatStateSchema,
    response: { description: 'The chat state was sent.', schema: chatStateResultSchema },
    errors: [409, 422],
    handler: ({ host, params, body }) => operationsOf(host).presence.sendChatState(params.session_id, body)
  })
}
