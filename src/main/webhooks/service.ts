/**
 * What the rest of the host sees of webhooks: the delivery log and the dead-letter list of each session, and replay.
 * The bridge (UI) and the native API read them through `host.webhooks`.
 */
import type { WebhookDelivery } from '../../shared/domain.js'

export interface DeadLetter {
  eventId: string
  eventType: string
  /** the payload as it was (to be) sent */
  body: string
  attempts: number
  lastError: string | null
  lastStatusCode: number | null
  createdAt: number
  diedAt: number
}

export interface WebhookService {
  /** the most recent delivery attempts of a session, newest first */
  deliveries(sessionId: string, limit?: number): WebhookDelivery[]
  deadLetters(sessionId: string): DeadLetter[]
  /** queues dead letters for delivery again: one (by event id) or all of the session's; returns how many */
  replay(sessionId: string, eventId?: string): number
  start(): void
  stop(): Promise<void>
}
