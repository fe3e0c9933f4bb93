/**
 * Delivers the outbox. Each session's events go out in order, one request in flight per session (the head of its
 * queue blocks the rest until it is delivered or dead); sessions proceed in parallel up to `concurrency`. A failed
 * attempt waits with exponential backoff and jitter (or the receiver's Retry-After); after `maxAttempts`, or at
 * once for a 4xx other than 408 and 429, the event is dead: kept in the dead-letter list until replayed.
 *
 * Nothing is queued in memory: the outbox table is the queue. A session's turn reads at most one request's worth
 * of rows (one event, or one batch), so a slow receiver or a long backlog never holds more than
 * `concurrency × batch` rows. On start every session with pending rows is resumed (crash recovery).
 */
import type { Logger } from 'pino'
import type { WebhookDelivery } from '../../shared/domain.js'
import type { HostEvents } from '../events.js'
import { inTransaction, type OutboxRow, type Store } from '../store/index.js'
import type { WebhookEvent } from './event-schema.js'
import { PAYLOAD_FORMATS } from './formats/index.js'
import { WebhookHttpClient } from './http-client.js'
import { signPayload } from './signing.js'

export interface DispatchOptions {
  /** sessions delivered to at the same time (default 16) */
  concurrency: number
  /** attempts before an event is dead (default 8) */
  maxAttempts: number
  /** first retry delay; doubles on each attempt, with jitter (default 1 s) */
  baseDelayMs: number
  /** the longest wait between attempts (default 10 min) */
  maxDelayMs: number
  /** how long a request may take (default 10 s) */
  timeoutMs: number
}

export const DEFAULT_DISPATCH: DispatchOptions = { concurrency: 16, maxAttempts: 8, baseDelayMs: 1_000, maxDelayMs: 600_000, timeoutMs: 10_000 }

export interface DispatcherDeps {
  store: Store
  events: HostEvents
  logger: Logger
  options?: Partial<DispatchOptions>
}

/** What the dispatcher holds in memory, and the most it ever held: what the slow-receiver test checks. */
export interface DispatchStats {
  rowsHeld: number
  maxRowsHeld: number
  requestsInFlight: number
  maxRequestsInFlight: number
}

/** 4xx answers that are worth retrying: Request Timeout and Too Many Requests. */
const RETRYABLE_4XX = new Set([408, 429])

export function retryable(statusCode: number | null): boolean {
  return statusCode === null || statusCode < 400 || statusCode >= 500 || RETRYABLE_4XX.has(statusCode)
}

/** The wait before attempt `attempt + 1`: base × 2^(attempt-1), capped, with "equal jitter" (half fixed, half random). */
export function backoffDelay(attempt: number, options: Pick<DispatchOptions, 'baseDelayMs' | 'maxDelayMs'>, random = Math.random): number {
  const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** Math.max(0, attempt - 1))
  return Math.round(ceiling / 2 + random() * (ceiling / 2))
}

export class WebhookDispatcher {
  private readonly options: DispatchOptions
  private readonly http = new WebhookHttpClient()
  /** sessions whose queue should be looked at */
  private readonly ready = new Set<string>()
  /** sessions with a turn under way */
  private readonly active = new Map<string, Promise<void>>()
  /** sessions waiting for their head's next attempt */
  private readonly timers = new Map<string, NodeJS.Timeout>()
  private unsubscribe: (() => void) | undefined
  private state: 'new' | 'running' | 'stopped' = 'new'
  private readonly counters: DispatchStats = { rowsHeld: 0, maxRowsHeld: 0, requestsInFlight: 0, maxRequestsInFlight: 0 }

  constructor(private readonly deps: DispatcherDeps) {
    this.options = { ...DEFAULT_DISPATCH, ...deps.options }
  }

  start(): void {
    if (this.state !== 'new') return
    this.state = 'running'
    this.unsubscribe = this.deps.store.webhooks.onEnqueued(sessionId => this.wake(sessionId))
    for (const sessionId of this.deps.store.webhooks.pendingSessions()) this.ready.add(sessionId)
    this.pump()
  }

  /** Aborts requests in flight (they stay pending: not an attempt), waits for every turn to end, closes every socket. */
  async stop(): Promise<void> {
    if (this.state === 'stopped') return
    this.state = 'stopped'
    this.unsubscribe?.()
    for (const timer of this.timers.values()) clearTimeout(timer)
    this.timers.clear()
    this.ready.clear()
    this.http.close()
    await Promise.all(this.active.values())
  }

  stats(): DispatchStats {
    return { ...this.counters }
  }

  /**
   * Looks at the session's queue soon (new events, a replay). A head waiting for its retry keeps waiting; a queue
   * whose head is due now (the rows that were waiting were dropped with their webhook, or replayed ones come first)
   * does not wait for the old retry's timer.
   */
  wake(sessionId: string): void {
    if (this.state !== 'running') return
    const timer = this.timers.get(sessionId)
    if (timer) {
      const [head] = this.deps.store.webhooks.head(sessionId, 1)
      if (!head || head.nextAttemptAt > Date.now()) return
      clearTimeout(timer)
      this.timers.delete(sessionId)
    }
    this.ready.add(sessionId)
    this.pump()
  }

  private pump(): void {
    for (const sessionId of this.ready) {
      if (this.active.size >= this.options.concurrency) return
      if (this.active.has(sessionId)) continue
      this.ready.delete(sessionId)
      const turn = this.turn(sessionId)
        .catch(err => this.deps.logger.error({ session: sessionId, err: err instanceof Error ? err.message : String(err) }, 'webhook delivery failed'))
        .finally(() => {
          this.active.delete(sessionId)
          this.pump()
        })
      this.active.set(sessionId, turn)
    }
  }

  private schedule(sessionId: string, at: number): void {
    if (this.state !== 'running' || this.timers.has(sessionId)) return
    const timer = setTimeout(() => {
      this.timers.delete(sessionId)
      this.wake(sessionId)
    }, Math.max(0, at - Date.now()))
    this.timers.set(sessionId, timer)
  }

  /** Delivers the head of the session's queue (one event or one batch); goes on while there is more that is due. */
  private async turn(sessionId: string): Promise<void> {
    const { store } = this.deps
    while (this.state === 'running') {
      const config = store.webhooks.config(sessionId)
      const format = PAYLOAD_FORMATS[config?.format ?? 'native']
      const rows = store.webhooks.head(sessionId, config ? format.batchSize(config) : 1)
      if (rows.length === 0) return
      const now = Date.now()
      if (rows[0].nextAttemptAt > now) {
        this.schedule(sessionId, rows[0].nextAttemptAt)
        return
      }
      // a batch holds rows at the same attempt only: one queued behind a failing head gets attempts of its own
      const later = rows.findIndex(r => r.nextAttemptAt > now || r.attempts !== rows[0].attempts)
      const due = later === -1 ? rows : rows.slice(0, later)
      this.hold(due.length)
      try {
        if (!config) {
          this.finish(sessionId, due, { statusCode: null, error: 'the session has no webhook', latencyMs: 0 }, true)
          continue
        }
        if (!(await this.deliver(sessionId, due, config))) return
      } finally {
        this.hold(-due.length)
      }
    }
  }

  /** One request for `rows`; returns whether the queue may go on at once (delivered, dead, or nothing to send). */
  private async deliver(sessionId: string, rows: OutboxRow[], config: NonNullable<ReturnType<Store['webhooks']['config']>>): Promise<boolean> {
    const { store } = this.deps
    const session = store.sessions.get(sessionId)
    if (!session) return false
    const format = PAYLOAD_FORMATS[config.format ?? 'native']
    const all = rows.map(r => ({ row: r, event: JSON.parse(r.payload) as WebhookEvent }))
    const shown = format.skip ? all.filter(({ event }) => !format.skip!(event, config)) : all
    const events = shown.map(s => s.event)
    let rendered
    try {
      rendered = events.length === 0 ? null : await format.render(events, config, { id: session.id, name: session.name, phoneNumber: session.phoneNumber, token: session.token })
    } catch (err) {
      return this.finish(sessionId, rows, { statusCode: null, error: `could not build the payload: ${(err as Error).message}`, latencyMs: 0 }, true)
    }
    if (!rendered) {
      // this format has nothing for these events (wuzapi announces no bare status change)
      store.webhooks.delivered(rows.map(r => r.seq))
      return true
    }
    const timestamp = String(Math.floor(Date.now() / 1000))
    const headers: Record<string, string> = {
      'content-type': rendered.contentType,
      'user-agent': 'WaDock-Webhook/1',
      'x-wadock-event-id': shown.map(s => s.row.eventId).join(','),
      'x-wadock-event-type': [...new Set(shown.map(s => s.row.eventType))].join(','),
      'x-wadock-session': sessionId,
      'x-wadock-timestamp': timestamp,
      ...(config.secret ? { 'x-wadock-signature': signPayload(config.secret, timestamp, rendered.body) } : {}),
      ...rendered.headers
    }
    this.counters.requestsInFlight++
    this.counters.maxRequestsInFlight = Math.max(this.counters.maxRequestsInFlight, this.counters.requestsInFlight)
    const result = await this.http.post(config.url, rendered.body, headers, this.options.timeoutMs).finally(() => {
      this.counters.requestsInFlight--
    })
    if (result.aborted) return false
    return this.finish(sessionId, rows, result, false)
  }

  /** Records the attempt's outcome for every row and in the log; returns whether the queue may go on at once. */
  private finish(sessionId: string, rows: OutboxRow[], result: { statusCode: number | null; error: string | null; latencyMs: number; retryAfterMs?: number | null }, fatal: boolean): boolean {
    const { store, events } = this.deps
    // deleted while its request was out: its rows and log went with it
    if (!store.sessions.get(sessionId)) return false
    const ok = !fatal && result.statusCode !== null && result.statusCode >= 200 && result.statusCode < 300
    const attempt = Math.max(...rows.map(r => r.attempts)) + 1
    const seqs = rows.map(r => r.seq)
    let outcome: WebhookDelivery['outcome']
    let nextAt = 0
    if (ok) outcome = 'delivered'
    else if (fatal || !retryable(result.statusCode) || attempt >= this.options.maxAttempts) outcome = 'dead'
    else {
      outcome = 'retrying'
      nextAt = Date.now() + Math.min(this.options.maxDelayMs, Math.max(backoffDelay(attempt, this.options), result.retryAfterMs ?? 0))
    }
    const at = Date.now()
    const deliveries = rows.map(r => ({
      eventId: r.eventId, eventType: r.eventType, attempt, statusCode: result.statusCode, ok, latencyMs: result.latencyMs,
      error: result.error, outcome, at
    }))
    inTransaction(store.db, () => {
      if (outcome === 'delivered') store.webhooks.delivered(seqs)
      else if (outcome === 'dead') store.webhooks.kill(seqs, attempt, result.error, result.statusCode)
      else store.webhooks.retryLater(seqs, attempt, nextAt, result.error, result.statusCode)
      for (const d of deliveries) store.webhooks.recordDelivery(sessionId, d)
    })
    for (const delivery of deliveries) events.emit({ type: 'webhook_delivery', sessionId, delivery })
    if (outcome === 'dead') this.deps.logger.warn({ session: sessionId, events: rows.map(r => r.eventId), error: result.error }, 'webhook event dead-lettered')
    if (outcome === 'retrying') {
      this.schedule(sessionId, nextAt)
      return false
    }
    return true
  }

  private hold(rows: number): void {
    this.counters.rowsHeld += rows
    this.counters.maxRowsHeld = Math.max(this.counters.maxRowsHeld, this.counters.rowsHeld)
  }
}
