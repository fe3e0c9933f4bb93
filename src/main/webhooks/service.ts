/**
 * What the rest of the host sees of webhooks: the delivery log and the dead-letter list of each session, and replay.
 * The bridge (UI) and the native API read them through `host.webhooks`.
 */
import type { Logger } from 'pino'
import type { WebhookDelivery } from '../../shared/domain.js'
import type { HostEvents } from '../events.js'
import type { Store } from '../store/index.js'
import { type DispatchOptions, type DispatchStats, WebhookDispatcher } from './dispatcher.js'
import type { WebhookEvent } from './event-schema.js'

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

/** The service as the host builds it: also what the dispatcher holds, for tests and benchmarks. */
export interface HostWebhookService extends WebhookService {
  stats(): DispatchStats
}

export interface WebhookServiceDeps {
  store: Store
  events: HostEvents
  logger: Logger
  options?: Partial<DispatchOptions>
}

/** How many delivery attempts `deliveries` returns unless asked for another number. */
export const DEFAULT_DELIVERIES_LIMIT = 100

export function createWebhookService(deps: WebhookServiceDeps): HostWebhookService {
  const dispatcher = new WebhookDispatcher(deps)
  const { store } = deps
  return {
    deliveries: (sessionId, limit = DEFAULT_DELIVERIES_LIMIT) => store.webhooks.deliveries(sessionId, limit),
    deadLetters: sessionId => store.webhooks.deadLetters(sessionId).map(row => ({
      eventId: row.eventId,
      eventType: row.eventType,
      body: row.payload,
      attempts: row.attempts,
      lastError: row.lastError,
      lastStatusCode: row.lastStatus,
      createdAt: row.createdAt,
      diedAt: row.diedAt ?? row.createdAt
    })),
    replay: (sessionId, eventId) => store.webhooks.replay(sessionId, eventId),
    start: () => dispatcher.start(),
    stop: () => dispatcher.stop(),
    stats: () => dispatcher.stats()
  }
}

/** The native event a dead letter holds. */
export const eventOf = (letter: DeadLetter): WebhookEvent => JSON.parse(letter.body) as WebhookEvent
