/**
 * The UI's event feed: every host event, plus `storage` events (a session's statistics recomputed, at most once per
 * `storageThrottleMs`, after its messages or media changed) and `settings` events. Keeps a bounded buffer of recent
 * events for `recentEvents`, and fans out to clients (a window, a WebSocket), each of which gets nothing but a queue
 * until it says it is ready, so no event is lost between a page loading and its subscription.
 */
import type { Logger } from 'pino'
import type { BridgeEvent } from '../../shared/bridge.js'
import type { HostEvent, StorageStats } from '../../shared/domain.js'
import type { Settings } from '../../shared/settings.js'
import type { HostEvents } from '../events.js'

export interface EventFeedOptions {
  events: HostEvents
  /** a session's statistics, as `GET …/storage` computes them */
  storageStats: (sessionId: string) => Promise<StorageStats>
  /** resolves once pending media downloads are written, so a storage event counts their files */
  mediaIdle?: () => Promise<void>
  logger?: Logger
  /** how many events `recent()` keeps (default 500) */
  recentLimit?: number
  /** how many events a client that is not ready yet may queue; the oldest are dropped beyond (default 1000) */
  queueLimit?: number
  /** the least time between two storage events of one session (default 1000 ms) */
  storageThrottleMs?: number
  /** the longest a storage recount waits for media downloads (default 10 s) */
  mediaWaitMs?: number
}

export interface FeedClient {
  /** delivers the queued events, then every later one as it happens */
  ready(): void
  close(): void
}

/** Host events after which a session's storage figures may have changed. */
const STORAGE_TRIGGERS = new Set<HostEvent['type']>(['message'])

export class EventFeed {
  private readonly recentEvents: BridgeEvent[] = []
  private readonly clients = new Set<{ send: (event: BridgeEvent) => void; queue: BridgeEvent[] | null }>()
  private readonly storageTimers = new Map<string, NodeJS.Timeout>()
  /** bumped when a session is removed, so a recount already under way for it is dropped */
  private readonly generations = new Map<string, number>()
  private readonly unsubscribe: () => void
  private closed = false

  constructor(private readonly options: EventFeedOptions) {
    this.unsubscribe = options.events.subscribe(event => {
      this.publish(event)
      if (STORAGE_TRIGGERS.has(event.type) && 'sessionId' in event) this.storageChanged(event.sessionId)
      if (event.type === 'session_removed') this.cancelStorage(event.sessionId)
    })
  }

  /** Records and delivers one event. */
  publish(event: BridgeEvent): void {
    if (this.closed) return
    this.recentEvents.push(event)
    const limit = this.options.recentLimit ?? 500
    if (this.recentEvents.length > limit) this.recentEvents.splice(0, this.recentEvents.length - limit)
    for (const client of this.clients) {
      if (client.queue) {
        client.queue.push(event)
        const queueLimit = this.options.queueLimit ?? 1000
        if (client.queue.length > queueLimit) client.queue.splice(0, client.queue.length - queueLimit)
      } else this.deliver(client.send, event)
    }
  }

  /** The most recent events, oldest first; only those of `sessionId` when given. */
  recent(sessionId?: string): BridgeEvent[] {
    return sessionId === undefined ? [...this.recentEvents] : this.recentEvents.filter(e => 'sessionId' in e && e.sessionId === sessionId)
  }

  /** A new client; `ready: true` delivers at once, otherwise events queue until `ready()`. */
  connect(send: (event: BridgeEvent) => void, { ready = false }: { ready?: boolean } = {}): FeedClient {
    const client = { send, queue: ready ? null : [] as BridgeEvent[] | null }
    this.clients.add(client)
    return {
      ready: () => {
        const queued = client.queue
        if (!queued || !this.clients.has(client)) return
        client.queue = null
        for (const event of queued) this.deliver(send, event)
      },
      close: () => {
        this.clients.delete(client)
      }
    }
  }

  settingsChanged(settings: Settings): void {
    this.publish({ type: 'settings', settings, at: Date.now() })
  }

  /** Publishes freshly computed figures now (after an action that changed them, such as clearing media). */
  storageComputed(sessionId: string, stats: StorageStats): void {
    this.publish({ type: 'storage', sessionId, stats, at: Date.now() })
  }

  /** Schedules a recount of the session's storage, unless one is already scheduled. */
  storageChanged(sessionId: string): void {
    // nobody is looking (no window, no browser): a UI that connects later reads the figures itself
    if (this.closed || this.clients.size === 0 || this.storageTimers.has(sessionId)) return
    const timer = setTimeout(() => {
      this.storageTimers.delete(sessionId)
      void this.recount(sessionId, this.generationOf(sessionId))
    }, this.options.storageThrottleMs ?? 1000)
    this.storageTimers.set(sessionId, timer)
  }

  private generationOf(sessionId: string): number {
    return this.generations.get(sessionId) ?? 0
  }

  private async recount(sessionId: string, generation: number): Promise<void> {
    // a recount whose session was removed (or the feed closed) meanwhile publishes nothing: its files may be gone
    const current = () => !this.closed && this.generationOf(sessionId) === generation
    try {
      if (this.options.mediaIdle) await withinMs(this.options.mediaIdle(), this.options.mediaWaitMs ?? 10_000)
      if (!current()) return
      const stats = await this.options.storageStats(sessionId)
      if (current()) this.storageComputed(sessionId, stats)
    } catch (err) {
      if (current()) this.options.logger?.warn({ session: sessionId, err: err instanceof Error ? err.message : String(err) }, 'storage statistics failed')
    }
  }

  private cancelStorage(sessionId: string): void {
    const timer = this.storageTimers.get(sessionId)
    if (timer) clearTimeout(timer)
    this.storageTimers.delete(sessionId)
    this.generations.set(sessionId, this.generationOf(sessionId) + 1)
  }

  private deliver(send: (event: BridgeEvent) => void, event: BridgeEvent): void {
    try {
      send(event)
    } catch (err) {
      // one broken client (a window being destroyed, a socket closing) must not keep events from the others
      this.options.logger?.debug({ err: err instanceof Error ? err.message : String(err) }, 'event delivery failed')
    }
  }

  close(): void {
    if (this.closed) return
    this.closed = true
    this.unsubscribe()
    for (const timer of this.storageTimers.values()) clearTimeout(timer)
    this.storageTimers.clear()
    this.clients.clear()
  }
}

async function withinMs(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined
  await Promise.race([promise, new Promise<void>(resolve => { timer = setTimeout(resolve, ms) })])
  clearTimeout(timer)
}
