/**
 * WaDock's domain vocabulary, shared by main, preload, renderer and the REST API. Zod schemas are the single
 * source: they validate what crosses a boundary and give the TypeScript types. No Node or Electron imports here.
 */
import { z } from 'zod'

/** The native API's status values (seed 004), one per state of a session's connection. */
export const SESSION_STATUSES = ['disconnected', 'connecting', 'waiting_for_qr', 'waiting_for_pair_code', 'connected', 'logged_in'] as const
export const sessionStatusSchema = z.enum(SESSION_STATUSES)
export type SessionStatus = z.infer<typeof sessionStatusSchema>

/** Why a session reached its status: the last transition's cause, kept with the status. */
export const sessionReasonSchema = z.string().regex(/^(qr_timeout|logged_out|replaced|network|user|restart|error: .+)$/)
export type SessionReason = 'qr_timeout' | 'logged_out' | 'replaced' | 'network' | 'user' | 'restart' | `error: ${string}`

/**
 * A pairing code as people read it and every API shows it (seed 004): two groups of four, `ABCD-EFGH`. Baileys hands
 * out the 8 characters bare; anything else is returned as it is.
 */
export const formatPairingCode = (code: string) => (/^[A-Z0-9]{8}$/i.test(code) ? `${code.slice(0, 4)}-${code.slice(4)}`.toUpperCase() : code)

export const SESSION_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/
export const sessionIdSchema = z.string().regex(SESSION_ID_PATTERN, 'letters, digits, "-" and "_", at most 64, starting with a letter or digit')

export const WEBHOOK_EVENT_TYPES = [
  'status', 'qr', 'pair_code', 'connected', 'disconnected', 'logged_out',
  'message', 'message_sent', 'message_ack', 'receipt', 'presence', 'chatstate', 'group'
] as const
export const webhookEventTypeSchema = z.enum(WEBHOOK_EVENT_TYPES)

/**
 * The payload format of a session's webhook: the native one, or the dialect whose endpoint configured it (so a
 * wuzapi script that set its webhook through `/wuzapi/webhook` receives wuzapi's event shapes).
 */
export const WEBHOOK_FORMATS = ['native', 'wuzapi', 'whatsgate', 'witime'] as const
export const webhookFormatSchema = z.enum(WEBHOOK_FORMATS)
export type WebhookFormat = z.infer<typeof webhookFormatSchema>

export const webhookConfigSchema = z.object({
  url: z.string().url().refine(u => /^https?:\/\//i.test(u), 'an http(s) URL'),
  events: z.array(webhookEventTypeSchema).optional(),
  secret: z.string().min(8, 'at least 8 characters').max(256).optional(),
  /** default `native` */
  format: webhookFormatSchema.optional(),
  /** Witi.me's PostBack batching: several events in one POST as `BULK,` + JSON array, or `BULKGZ,` + base64(zlib) */
  batch: z.enum(['none', 'bulk', 'bulkgz']).optional()
})
export type WebhookConfig = z.infer<typeof webhookConfigSchema>

export interface SessionInfo {
  id: string
  name: string | null
  status: SessionStatus
  reason: SessionReason | null
  phoneNumber: string | null
  pushName: string | null
  lid: string | null
  deviceId: number | null
  createdAt: number
  updatedAt: number
  lastConnectedAt: number | null
  isLoggedIn: boolean
  webhook: WebhookConfig | null
}

export interface StorageFolderStats {
  name: 'media' | 'profile' | 'thumb'
  bytes: number
  files: number
}

export interface StorageStats {
  name: string
  bytes: number
  files: number
  subs: StorageFolderStats[]
  contacts: number
  chats: number
  bytesSent: number
  bytesReceived: number
}

/** One attempt to deliver a webhook event: what the delivery log shows. */
export interface WebhookDelivery {
  /** the event's id, the same on every attempt (receivers use it to drop duplicates) */
  eventId: string
  /** the event's type (`message`, `status`, …) */
  eventType: string
  /** 1 for the first attempt */
  attempt: number
  /** the receiver's HTTP status; null when no answer came (refused, timed out) */
  statusCode: number | null
  ok: boolean
  /** the time from sending the request to its answer, or to the failure */
  latencyMs: number
  /** why it failed, when it did */
  error: string | null
  /** `retrying` (another attempt follows), `delivered`, or `dead` (no more attempts: in the dead-letter list) */
  outcome: 'delivered' | 'retrying' | 'dead'
  at: number
}

/** What the host tells its consumers (UI bridge, tray, SSE stream, webhooks). */
export type HostEvent =
  | { type: 'status'; sessionId: string; status: SessionStatus; reason: SessionReason | null; at: number }
  | { type: 'qr'; sessionId: string; qr: string; expiresAt: number; at: number }
  | { type: 'pair_code'; sessionId: string; code: string; at: number }
  | { type: 'message'; sessionId: string; chat: string; id: string; fromMe: boolean; messageType: string; text: string | null; sender: string | null; timestamp: number; at: number }
  | { type: 'message_ack'; sessionId: string; chat: string; id: string; status: number; error: string | null; at: number }
  | { type: 'session_removed'; sessionId: string; at: number }
  | { type: 'webhook_delivery'; sessionId: string; delivery: WebhookDelivery; at: number }
