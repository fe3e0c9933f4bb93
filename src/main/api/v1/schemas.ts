/**
 * Request and response schemas of the native API v1. Field names, envelopes and status values are seed 004's,
 * exactly; times are unix seconds as in its examples. These schemas validate every request and generate the
 * OpenAPI document (see ../registry.ts), so what is documented is what is checked.
 */
import { z } from 'zod'
import {
  SESSION_STATUSES, WEBHOOK_EVENT_TYPES, sessionIdSchema, sessionStatusSchema, webhookConfigSchema
} from '../../../shared/domain.js'
import { component } from '../components.js'

// ---- shared pieces ----

export const sessionStatusComponent = component(sessionStatusSchema, {
  id: 'SessionStatusValue',
  description: [
    '`disconnected`: not connected; `connecting`: establishing the connection; `waiting_for_qr`: waiting for a QR scan;',
    '`waiting_for_pair_code`: waiting for the pairing code to be entered on the phone; `connected`: connected but not',
    `logged in yet; \`logged_in\`: fully authenticated. One of: ${SESSION_STATUSES.join(', ')}.`
  ].join(' ')
})

export const webhookSchema = component(webhookConfigSchema.strict(), {
  id: 'Webhook',
  description: `Where the session's events are POSTed. \`events\` defaults to all: ${WEBHOOK_EVENT_TYPES.join(', ')}.`,
  examples: [{ url: 'https://example.com/webhook', events: ['message', 'connected'], secret: 'webhook-secret' }]
})

const unixSeconds = z.number().int().nonnegative()

export const sessionPathSchema = z.object({
  session_id: sessionIdSchema.describe('the session\'s id')
})

// ---- sessions ----

export const createSessionRequestSchema = component(z.strictObject({
  id: sessionIdSchema.optional().describe('custom session id (auto-generated if not provided)'),
  name: z.string().trim().min(1).max(100).optional().describe('friendly name for the session'),
  webhook: webhookSchema.optional().describe('webhook configuration')
}), {
  id: 'CreateSessionRequest',
  examples: [{ id: 'my-session', name: 'My Business Account', webhook: { url: 'https://example.com/webhook', events: ['message', 'connected'], secret: 'webhook-secret' } }]
})

const seedSessionExample = {
  id: 'my-session', name: 'My Business Account', phone_number: null, push_name: null, status: 'connecting',
  created_at: 1767143203, updated_at: 1767143203, last_connected_at: null, is_logged_in: false
}

export const sessionSchema = component(z.object({
  id: z.string(),
  name: z.string().nullable(),
  phone_number: z.string().nullable().describe('the linked account\'s number, digits only; null until linked'),
  push_name: z.string().nullable().describe('the account\'s WhatsApp display name'),
  status: sessionStatusComponent,
  created_at: unixSeconds.describe('unix time, seconds'),
  updated_at: unixSeconds.describe('unix time, seconds'),
  last_connected_at: unixSeconds.nullable().describe('unix time, seconds, of the last login'),
  is_logged_in: z.boolean()
}), { id: 'Session', examples: [seedSessionExample] })

export const createSessionResponseSchema = component(z.object({
  session: sessionSchema,
  token: z.string().describe('the session\'s own API token: it reaches only this session\'s routes. Returned here only; rotate it with POST /api/v1/sessions/{session_id}/token/rotate.')
}), { id: 'CreateSessionResponse', examples: [{ session: seedSessionExample, token: 'Vb0m4bQ0o3V1d6rQ0mKk8Q3xk4Cz1s8E' }] })

export const sessionListSchema = component(z.object({
  sessions: z.array(sessionSchema),
  total: z.number().int().nonnegative()
}), { id: 'SessionList' })

export const sessionStatusResponseSchema = component(z.object({
  status: sessionStatusComponent,
  is_logged_in: z.boolean(),
  phone_number: z.string().nullable(),
  push_name: z.string().nullable()
}), { id: 'SessionStatus', examples: [{ status: 'logged_in', is_logged_in: true, phone_number: '628123456789', push_name: 'John Doe' }] })

export const successSchema = component(z.object({
  success: z.literal(true),
  message: z.string()
}), { id: 'Success', examples: [{ success: true, message: 'Session deleted' }] })

export const qrResponseSchema = component(z.object({
  qr_codes: z.array(z.string()).describe('the raw QR strings of the current linking connection, newest first: show `qr_codes[0]`; empty when the session is not waiting for a scan'),
  timeout_seconds: z.number().int().nonnegative().describe('seconds until `qr_codes[0]` expires (0 when there is none)'),
  status: sessionStatusComponent
}), { id: 'QrCodes', examples: [{ qr_codes: ['2@ABC123...'], timeout_seconds: 60, status: 'waiting_for_qr' }] })

/** An international number: 7 to 15 digits, not starting with 0, optionally written with "+", spaces, "-", "()". */
export const phoneNumberSchema = z.string()
  .regex(/^\+?[0-9][0-9 ()-]*$/, { message: 'an international phone number such as +628123456789', abort: true })
  .refine(value => /^[1-9][0-9]{6,14}$/.test(value.replace(/[^0-9]/g, '')), 'an international phone number: 7 to 15 digits, country code first')

export const pairRequestSchema = component(z.strictObject({
  phone_number: phoneNumberSchema.describe('the number of the phone to link, with country code'),
  show_push_notification: z.boolean().optional().describe('accepted for compatibility; WhatsApp always notifies the phone')
}), { id: 'PairRequest', examples: [{ phone_number: '+628123456789', show_push_notification: true }] })

export const pairResponseSchema = component(z.object({
  code: z.string().regex(/^[A-Z0-9]{4}-[A-Z0-9]{4}$/).describe('type it on the phone: Linked devices → Link with phone number'),
  timeout_seconds: z.number().int().nonnegative().describe('seconds until the current linking window ends; the code stays valid while the status is `waiting_for_pair_code`')
}), { id: 'PairCode', examples: [{ code: 'ABCD-EFGH', timeout_seconds: 60 }] })

export const deviceSchema = component(z.object({
  device_id: z.number().int().nonnegative().describe('this linked device\'s number on the account'),
  phone_number: z.string(),
  lid: z.string().nullable().describe('the account\'s LID (`<digits>@lid`)'),
  push_name: z.string().nullable()
}), { id: 'Device', examples: [{ device_id: 1, phone_number: '628123456789', lid: '123456789@lid', push_name: 'John Doe' }] })

export const storageSchema = component(z.object({
  session_id: z.string(),
  bytes: z.number().int().nonnegative().describe('every file of the session'),
  files: z.number().int().nonnegative(),
  folders: z.array(z.object({
    name: z.enum(['media', 'profile', 'thumb']),
    bytes: z.number().int().nonnegative(),
    files: z.number().int().nonnegative()
  })),
  contacts: z.number().int().nonnegative(),
  chats: z.number().int().nonnegative(),
  bytes_sent: z.number().int().nonnegative(),
  bytes_received: z.number().int().nonnegative()
}), { id: 'Storage' })

export const webhookResponseSchema = component(z.object({
  webhook: webhookSchema.nullable().describe('null when the session has no webhook')
}), { id: 'WebhookSettings' })

export const tokenResponseSchema = component(z.object({
  session_id: z.string(),
  token: z.string().describe('the new token; the old one stops working at once')
}), { id: 'SessionToken' })

// ---- service ----

export const healthSchema = component(z.object({ status: z.literal('ok') }), { id: 'Health', examples: [{ status: 'ok' }] })

export const openApiDocumentSchema = component(z.looseObject({
  openapi: z.literal('3.1.0'),
  info: z.looseObject({ title: z.string(), version: z.string() }),
  paths: z.record(z.string(), z.unknown())
}), { id: 'OpenApiDocument', description: 'This document.' })
