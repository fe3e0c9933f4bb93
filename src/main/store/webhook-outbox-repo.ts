/**
 * The webhook outbox (`webhook_outbox`) and delivery log (`webhook_deliveries`).
 *
 * `enqueue` is called inside the transaction that writes the data an event describes (a stored message, a status
 * change, an ack), so the event exists if and only if its data does. Only a session whose webhook admits the
 * event's type gets a row. Listeners hear of new rows after the current transaction: better-sqlite3 transactions
 * are synchronous, so a microtask runs once it has committed (or rolled back, and then finds nothing).
 */
import { randomUUID } from 'node:crypto'
import { type WebhookConfig, webhookConfigSchema } from '../../shared/domain.js'
import type { WebhookDelivery } from '../../shared/domain.js'
import type { WebhookEvent, WebhookEventData, WebhookEventType } from '../webhooks/event-schema.js'
import { type Db, inTransaction } from './database.js'

export interface OutboxRow {
  seq: number
  sessionId: string
  eventId: string
  eventType: WebhookEventType
  /** the native event, as JSON */
  payload: string
  state: 'pending' | 'dead'
  attempts: number
  nextAttemptAt: number
  lastError: string | null
  lastStatus: number | null
  createdAt: number
  diedAt: number | null
}

interface OutboxDbRow {
  seq: number
  session_id: string
  event_id: string
  event_type: string
  payload: string
  state: string
  attempts: number
  next_attempt_at: number
  last_error: string | null
  last_status: number | null
  created_at: number
  died_at: number | null
}

interface DeliveryDbRow {
  event_id: string
  event_type: string
  attempt: number
  status_code: number | null
  ok: number
  latency_ms: number
  error: string | null
  outcome: WebhookDelivery['outcome']
  at: number
}

const fromRow = (r: OutboxDbRow): OutboxRow => ({
  seq: r.seq, sessionId: r.session_id, eventId: r.event_id, eventType: r.event_type as WebhookEventType, payload: r.payload,
  state: r.state as OutboxRow['state'], attempts: r.attempts, nextAttemptAt: r.next_attempt_at, lastError: r.last_error,
  lastStatus: r.last_status, createdAt: r.created_at, diedAt: r.died_at
})

/** How many delivery attempts each session's log keeps (the oldest go first). */
export const DELIVERY_LOG_KEPT = 1_000

export interface WebhookOutboxRepo {
  /**
   * Adds an event for the session's webhook if it has one that admits `type`; returns the event, or undefined when
   * nothing was queued. Call it inside the transaction of the data the event describes.
   */
  enqueue<T extends WebhookEventType>(sessionId: string, type: T, data: WebhookEventData<T>, at?: number): WebhookEvent | undefined
  /** Hears of queued events once the enqueuing transaction is over; returns the unsubscribe. */
  onEnqueued(listener: (sessionId: string) => void): () => void
  /** The session's webhook settings as stored, validated (undefined when it has none or they are invalid). */
  config(sessionId: string): WebhookConfig | undefined
  /** Sessions with pending events. */
  pendingSessions(): string[]
  /** The first `limit` pending events of the session, in order. */
  head(sessionId: string, limit: number): OutboxRow[]
  delivered(seqs: number[]): void
  retryLater(seqs: number[], attempts: number, nextAttemptAt: number, error: string | null, status: number | null): void
  kill(seqs: number[], attempts: number, error: string | null, status: number | null): void
  deadLetters(sessionId: string): OutboxRow[]
  /** Puts dead events (one, or all of the session's) back in the queue, in their original order; returns how many. */
  replay(sessionId: string, eventId?: string): number
  /** Drops every pending event of the session (its webhook was removed). */
  dropPending(sessionId: string): number
  countPending(sessionId?: string): number
  recordDelivery(sessionId: string, delivery: WebhookDelivery): void
  /** Newest first. */
  deliveries(sessionId: string, limit: number): WebhookDelivery[]
}

export function createWebhookOutboxRepo(db: Db): WebhookOutboxRepo {
  const stmt = {
    webhook: db.prepare<[string], { webhook: string | null }>('SELECT webhook FROM sessions WHERE id = ?'),
    insert: db.prepare(`INSERT INTO webhook_outbox (session_id, event_id, event_type, payload, next_attempt_at, created_at)
      VALUES (@sessionId, @eventId, @eventType, @payload, @at, @at)`),
    pendingSessions: db.prepare<[], { session_id: string }>(`SELECT DISTINCT session_id FROM webhook_outbox WHERE state = 'pending'`),
    head: db.prepare<[string, number], OutboxDbRow>(`SELECT * FROM webhook_outbox WHERE session_id = ? AND state = 'pending'
      ORDER BY seq LIMIT ?`),
    delivered: db.prepare<[number]>('DELETE FROM webhook_outbox WHERE seq = ?'),
    retry: db.prepare(`UPDATE webhook_outbox SET attempts = @attempts, next_attempt_at = @next, last_error = @error, last_status = @status
      WHERE seq = @seq`),
    kill: db.prepare(`UPDATE webhook_outbox SET state = 'dead', attempts = @attempts, last_error = @error, last_status = @status,
      died_at = @now WHERE seq = @seq`),
    dead: db.prepare<[string], OutboxDbRow>(`SELECT * FROM webhook_outbox WHERE session_id = ? AND state = 'dead' ORDER BY seq`),
    replayAll: db.prepare<[number, string]>(`UPDATE webhook_outbox SET state = 'pending', attempts = 0, next_attempt_at = ?, died_at = NULL
      WHERE session_id = ? AND state = 'dead'`),
    replayOne: db.prepare<[number, string, string]>(`UPDATE webhook_outbox SET state = 'pending', attempts = 0, next_attempt_at = ?,
      died_at = NULL WHERE session_id = ? AND event_id = ? AND state = 'dead'`),
    dropPending: db.prepare<[string]>(`DELETE FROM webhook_outbox WHERE session_id = ? AND state = 'pending'`),
    countPending: db.prepare<[], { n: number }>(`SELECT COUNT(*) AS n FROM webhook_outbox WHERE state = 'pending'`),
    countPendingOf: db.prepare<[string], { n: number }>(`SELECT COUNT(*) AS n FROM webhook_outbox WHERE session_id = ? AND state = 'pending'`),
    insertDelivery: db.prepare(`INSERT INTO webhook_deliveries
        (session_id, event_id, event_type, attempt, status_code, ok, latency_ms, error, outcome, at)
      VALUES (@sessionId, @eventId, @eventType, @attempt, @statusCode, @ok, @latencyMs, @error, @outcome, @at)`),
    pruneDeliveries: db.prepare<[string, string, number]>(`DELETE FROM webhook_deliveries WHERE session_id = ? AND id <=
      (SELECT id FROM webhook_deliveries WHERE session_id = ? ORDER BY id DESC LIMIT 1 OFFSET ?)`),
    deliveries: db.prepare<[string, number], DeliveryDbRow>(`SELECT * FROM webhook_deliveries WHERE session_id = ? ORDER BY id DESC LIMIT ?`)
  }
  const listeners = new Set<(sessionId: string) => void>()
  // sessions with events queued since the last notification; notified together once the transaction is over
  const notify = new Set<string>()
  let notifyQueued = false
  // The webhook column parsed once per distinct value: enqueue runs for every message.
  const parsed = new Map<string, { raw: string | null; config: WebhookConfig | undefined }>()
  const config = (sessionId: string): WebhookConfig | undefined => {
    const raw = stmt.webhook.get(sessionId)?.webhook ?? null
    const cached = parsed.get(sessionId)
    if (cached && cached.raw === raw) return cached.config
    let value: WebhookConfig | undefined
    if (raw !== null) {
      const checked = webhookConfigSchema.safeParse(JSON.parse(raw))
      value = checked.success ? checked.data : undefined
    }
    parsed.set(sessionId, { raw, config: value })
    return value
  }
  const sequence = (seqs: number[], run: (seq: number) => void) => inTransaction(db, () => seqs.forEach(run))
  const sincePrune = new Map<string, number>()

  return {
    enqueue(sessionId, type, data, at = Date.now()) {
      const webhook = config(sessionId)
      if (!webhook || (webhook.events && webhook.events.length > 0 && !webhook.events.includes(type))) return undefined
      const event = { id: randomUUID(), type, session_id: sessionId, timestamp: at, data } as WebhookEvent
      stmt.insert.run({ sessionId, eventId: event.id, eventType: type, payload: JSON.stringify(event), at })
      notify.add(sessionId)
      if (!notifyQueued) {
        notifyQueued = true
        queueMicrotask(() => {
          notifyQueued = false
          const sessions = [...notify]
          notify.clear()
          for (const s of sessions) for (const listener of listeners) listener(s)
        })
      }
      return event
    },

    onEnqueued(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },

    config,

    pendingSessions: () => stmt.pendingSessions.all().map(r => r.session_id),

    head: (sessionId, limit) => stmt.head.all(sessionId, limit).map(fromRow),

    delivered: seqs => sequence(seqs, seq => stmt.delivered.run(seq)),

    retryLater: (seqs, attempts, next, error, status) => sequence(seqs, seq => stmt.retry.run({ seq, attempts, next, error, status })),

    kill: (seqs, attempts, error, status) => sequence(seqs, seq => stmt.kill.run({ seq, attempts, error, status, now: Date.now() })),

    deadLetters: sessionId => stmt.dead.all(sessionId).map(fromRow),

    replay(sessionId, eventId) {
      const now = Date.now()
      const changes = eventId === undefined ? stmt.replayAll.run(now, sessionId).changes : stmt.replayOne.run(now, sessionId, eventId).changes
      if (changes > 0) for (const listener of listeners) listener(sessionId)
      return changes
    },

    dropPending: sessionId => stmt.dropPending.run(sessionId).changes,

    countPending: sessionId => (sessionId === undefined ? stmt.countPending.get()!.n : stmt.countPendingOf.get(sessionId)!.n),

    recordDelivery(sessionId, d) {
      stmt.insertDelivery.run({
        sessionId, eventId: d.eventId, eventType: d.eventType, attempt: d.attempt, statusCode: d.statusCode, ok: d.ok ? 1 : 0,
        latencyMs: d.latencyMs, error: d.error, outcome: d.outcome, at: d.at
      })
      // pruning on every insert would double the writes; every 100th keeps the log within 100 rows of its bound
      const n = (sincePrune.get(sessionId) ?? 0) + 1
      sincePrune.set(sessionId, n >= 100 ? 0 : n)
      if (n >= 100) stmt.pruneDeliveries.run(sessionId, sessionId, DELIVERY_LOG_KEPT)
    },

    deliveries: (sessionId, limit) => stmt.deliveries.all(sessionId, limit).map(r => ({
      eventId: r.event_id, eventType: r.event_type, attempt: r.attempt, statusCode: r.status_code, ok: r.ok === 1,
      latencyMs: r.latency_ms, error: r.error, outcome: r.outcome, at: r.at
    }))
  }
}
