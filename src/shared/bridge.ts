/**
 * The bridge between the UI (renderer) and the host (main): one contract for both transports, Electron IPC (the
 * preload exposes it on `window.wadock`) and the WebSocket of headless mode's web UI.
 *
 * - Methods: `bridgeInputSchemas` names every method and validates its arguments (main trusts nothing from the UI);
 *   `WaDockBridge` gives each its result type. Adding a method means adding it in both places; the compiler then
 *   points at every transport and handler that lacks it.
 * - Results cross as data (`BridgeResult`): an error is `{name, message, code}` and becomes a real Error again on
 *   the UI side, so the UI shows the host's message rather than "Error invoking remote method".
 * - Events: one subscription (`onEvent`) delivers every `BridgeEvent`; it returns its unsubscribe. Events are cues:
 *   the UI re-reads state (sessions, storage) when one arrives rather than patching it by hand where that is complex.
 *
 * No Node or Electron imports here: main, preload and renderer all use this file.
 */
import { z } from 'zod'
import {
  type HostEvent, type SessionInfo, type StorageStats, type WebhookConfig, type WebhookDelivery, sessionIdSchema,
  webhookConfigSchema
} from './domain.js'
import { phoneNumberSchema } from './operations.js'
import { type Settings, settingsPatchSchema } from './settings.js'

const sessionNameSchema = z.string().trim().min(1).max(100)

export const createSessionRequestSchema = z.object({
  /** a custom id; generated when absent */
  id: sessionIdSchema.optional(),
  name: sessionNameSchema.optional(),
  webhook: webhookConfigSchema.nullable().optional(),
  /** link by pairing code with this number instead of by QR */
  pairWithPhone: phoneNumberSchema.optional()
}).strict()
export type CreateSessionRequest = z.infer<typeof createSessionRequestSchema>

/** Sandbox mode: what the "virtual phone" panel asks the built-in simulator to do. */
export const sandboxLinkRequestSchema = z.object({
  sessionId: sessionIdSchema,
  /** the virtual phone's number; a new account when unknown */
  phone: phoneNumberSchema,
  /** its push name */
  name: z.string().trim().min(1).max(60).optional()
}).strict()

export const sandboxMessageRequestSchema = z.object({
  /** the virtual phone that sends */
  fromPhone: phoneNumberSchema,
  /** the session it writes to (its linked account's number is looked up) */
  toSessionId: sessionIdSchema,
  text: z.string().min(1).max(4096)
}).strict()

/** Each method's arguments, as a tuple schema. */
export const bridgeInputSchemas = {
  appInfo: z.tuple([]),
  listSessions: z.tuple([]),
  getSession: z.tuple([sessionIdSchema]),
  createSession: z.tuple([createSessionRequestSchema]),
  connectSession: z.tuple([sessionIdSchema]),
  disconnectSession: z.tuple([sessionIdSchema]),
  logoutSession: z.tuple([sessionIdSchema]),
  deleteSession: z.tuple([sessionIdSchema]),
  clearSession: z.tuple([sessionIdSchema]),
  requestPairingCode: z.tuple([sessionIdSchema, phoneNumberSchema]),
  /** the live QR codes of a session waiting for a scan, newest first */
  currentQr: z.tuple([sessionIdSchema]),
  storageStats: z.tuple([sessionIdSchema]),
  /** the session's own API token, for the copyable curl examples */
  sessionToken: z.tuple([sessionIdSchema]),
  rotateSessionToken: z.tuple([sessionIdSchema]),
  getWebhook: z.tuple([sessionIdSchema]),
  setWebhook: z.tuple([sessionIdSchema, webhookConfigSchema.nullable()]),
  webhookDeliveries: z.tuple([sessionIdSchema]),
  /** the most recent host events, newest last; of one session when given */
  recentEvents: z.tuple([sessionIdSchema.optional()]),
  getSettings: z.tuple([]),
  updateSettings: z.tuple([settingsPatchSchema]),
  rotateAdminToken: z.tuple([]),
  sandboxLink: z.tuple([sandboxLinkRequestSchema]),
  sandboxSendMessage: z.tuple([sandboxMessageRequestSchema])
} as const

export type BridgeMethod = keyof typeof bridgeInputSchemas
export const BRIDGE_METHODS = Object.keys(bridgeInputSchemas) as BridgeMethod[]

export interface AppInfo {
  version: string
  /** `electron` in the desktop app, `web` in headless mode's browser UI */
  shell: 'electron' | 'web'
  /** whether sessions run against the built-in simulator (the virtual phone panel is shown then) */
  sandbox: boolean
  /** where the REST API listens; null when it is off */
  apiUrl: string | null
  dataDir: string
}

export interface QrState {
  /** newest first; empty when the session is not waiting for a scan */
  qrCodes: string[]
  /** when the newest expires (ms since the epoch); null when there is none */
  expiresAt: number | null
}

/** Settings as the UI sees them. */
export type AppSettings = Settings

/** Every method, as the UI calls it. */
export interface WaDockBridge {
  appInfo(): Promise<AppInfo>
  listSessions(): Promise<SessionInfo[]>
  getSession(id: string): Promise<SessionInfo>
  createSession(request: CreateSessionRequest): Promise<SessionInfo>
  connectSession(id: string): Promise<SessionInfo>
  disconnectSession(id: string): Promise<SessionInfo>
  logoutSession(id: string): Promise<SessionInfo>
  deleteSession(id: string): Promise<void>
  clearSession(id: string): Promise<StorageStats>
  requestPairingCode(id: string, phoneNumber: string): Promise<{ code: string }>
  currentQr(id: string): Promise<QrState>
  storageStats(id: string): Promise<StorageStats>
  sessionToken(id: string): Promise<{ token: string }>
  rotateSessionToken(id: string): Promise<{ token: string }>
  getWebhook(id: string): Promise<WebhookConfig | null>
  setWebhook(id: string, webhook: WebhookConfig | null): Promise<WebhookConfig | null>
  webhookDeliveries(id: string): Promise<WebhookDelivery[]>
  recentEvents(id?: string): Promise<BridgeEvent[]>
  getSettings(): Promise<AppSettings>
  updateSettings(patch: z.input<typeof settingsPatchSchema>): Promise<AppSettings>
  rotateAdminToken(): Promise<{ adminToken: string }>
  sandboxLink(request: z.input<typeof sandboxLinkRequestSchema>): Promise<{ device: string }>
  sandboxSendMessage(request: z.input<typeof sandboxMessageRequestSchema>): Promise<{ id: string }>
  /** every event, in order; returns the unsubscribe */
  onEvent(listener: (event: BridgeEvent) => void): () => void
}

/** Host events, plus what only the UI needs: storage figures that changed, settings that changed. */
export type BridgeEvent =
  | HostEvent
  | { type: 'storage'; sessionId: string; stats: StorageStats; at: number }
  | { type: 'settings'; settings: AppSettings; at: number }

/** A method's outcome as it crosses the boundary. */
export type BridgeResult<T = unknown> =
  | { ok: true; value: T }
  | { ok: false; error: BridgeErrorData }

export interface BridgeErrorData {
  /** the error class (`ValidationError`, `NotFoundError`, `ConflictError`, …) */
  name: string
  message: string
  /** a machine-readable code when there is one (`not_found`, `conflict`, `validation_failed`, `forbidden`) */
  code?: string
}

/** The error a failed bridge call rejects with on the UI side. */
export class BridgeError extends Error {
  readonly code: string | undefined
  constructor(data: BridgeErrorData) {
    super(data.message)
    this.name = data.name
    this.code = data.code
  }
}

/** Unwraps a result: its value, or a BridgeError carrying the host's message. */
export function unwrapBridgeResult<T>(result: BridgeResult<T>): T {
  if (result.ok) return result.value
  throw new BridgeError(result.error)
}

/** Electron IPC channel names: one per method, and one for events. */
export const ipcChannelOf = (method: BridgeMethod) => `wadock:${method}`
export const IPC_EVENT_CHANNEL = 'wadock:event'
/** The renderer tells main it subscribed, so main flushes the events it queued until then. */
export const IPC_READY_CHANNEL = 'wadock:ready'

/**
 * The web UI's WebSocket protocol (headless mode). The page at `WEB_APP_PATH` opens `WEB_BRIDGE_PATH` on the same
 * origin with the subprotocols `[WEB_BRIDGE_PROTOCOL, 'token.' + adminToken]` (a browser cannot set headers on a
 * WebSocket; a subprotocol, unlike a query string, stays out of logs). The server checks Host and Origin as the
 * REST API does, compares the token in constant time, and answers with the `WEB_BRIDGE_PROTOCOL` subprotocol, or
 * refuses the upgrade with 401/403. Then: client → server `BridgeRequest`, server → client `BridgeResponse` or
 * `{event}`, JSON text frames.
 */
export const WEB_BRIDGE_PROTOCOL = 'wadock.bridge'
export const WEB_BRIDGE_PATH = '/app/bridge'
export const WEB_APP_PATH = '/app/'
export interface BridgeRequest { id: number; method: BridgeMethod; args: unknown[] }
export interface BridgeResponse { id: number; result: BridgeResult }
export type BridgeServerMessage = BridgeResponse | { event: BridgeEvent }
