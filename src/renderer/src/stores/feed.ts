/**
 * The one place events enter the stores: a single `onEvent` subscription dispatches every event to every store,
 * and re-reads what patching would get wrong (a session's details after its status changed). Also the loads
 * (first data, a session's page) so that a store is written from here and from nowhere else.
 */
import type { BridgeEvent, WaDockBridge } from '../../../shared/bridge.js'
import { applyAppEvent, useApp } from './app.js'
import { appendEvent, mergeHistory, useEvents } from './events.js'
import { applyLinkingEvent, setQrState, useLinking } from './linking.js'
import { applySessionEvent, fromList, upsert, useSessions } from './sessions.js'
import { applyStorageEvent, setStats, useStorage } from './storage.js'
import { applyWebhookEvent, setDeliveries, useWebhooks } from './webhooks.js'

export const message = (err: unknown) => (err instanceof Error ? err.message : String(err))

/** Applies one event to every store, synchronously: what the UI shows next frame. */
export function applyEvent(event: BridgeEvent): void {
  useSessions.setState(s => applySessionEvent(s, event))
  useLinking.setState(s => applyLinkingEvent(s, event))
  useStorage.setState(s => applyStorageEvent(s, event))
  useEvents.setState(s => appendEvent(s, event))
  useWebhooks.setState(s => applyWebhookEvent(s, event))
  useApp.setState(s => applyAppEvent(s, event))
}

export class Feed {
  private unsubscribe: (() => void) | null = null
  private readonly refreshing = new Map<string, Promise<void>>()
  private readonly again = new Set<string>()

  constructor(readonly bridge: WaDockBridge) {}

  /** Subscribes (once) and loads the first data; `ready` turns true when it arrived. */
  start(): void {
    if (this.unsubscribe) return
    this.unsubscribe = this.bridge.onEvent(event => this.onEvent(event))
    void this.loadAll()
  }

  stop(): void {
    this.unsubscribe?.()
    this.unsubscribe = null
  }

  /** Reads everything again: at start, and after a reconnect in which events may have been missed. */
  async loadAll(): Promise<void> {
    try {
      const [info, sessions, settings, history] = await Promise.all([
        this.bridge.appInfo(), this.bridge.listSessions(), this.bridge.getSettings(), this.bridge.recentEvents()
      ])
      useSessions.setState(fromList(sessions))
      useEvents.setState(s => mergeHistory(s, history))
      useApp.setState({ info, settings, ready: true, loadError: null })
    } catch (err) {
      useApp.setState({ loadError: message(err) })
      useSessions.setState({ error: message(err) })
    }
  }

  /** What a session's page shows beyond the list: QR, storage, deliveries. */
  async loadSession(id: string): Promise<void> {
    const [qr, stats, deliveries] = await Promise.all([
      this.bridge.currentQr(id), this.bridge.storageStats(id), this.bridge.webhookDeliveries(id)
    ])
    useLinking.setState(s => setQrState(s, id, qr))
    useStorage.setState(s => setStats(s, id, stats))
    useWebhooks.setState(s => setDeliveries(s, id, deliveries))
  }

  async refreshStorage(id: string): Promise<void> {
    const stats = await this.bridge.storageStats(id)
    useStorage.setState(s => setStats(s, id, stats))
  }

  /** Re-reads one session (its details change with its status); one read at a time per session, the last wins. */
  refreshSession(id: string): Promise<void> {
    const running = this.refreshing.get(id)
    if (running) {
      this.again.add(id)
      return running
    }
    const run = (async () => {
      try {
        const info = await this.bridge.getSession(id)
        if (id in useSessions.getState().byId) useSessions.setState(s => upsert(s, info))
      } catch {
        // gone meanwhile: its session_removed event updates the list
      } finally {
        this.refreshing.delete(id)
        if (this.again.delete(id)) void this.refreshSession(id)
      }
    })()
    this.refreshing.set(id, run)
    return run
  }

  /** A session the UI itself just created or changed: shown at once, without waiting for its event. */
  upsertSession(info: Parameters<typeof upsert>[1]): void {
    useSessions.setState(s => upsert(s, info))
  }

  private onEvent(event: BridgeEvent): void {
    applyEvent(event)
    if (event.type === 'status') {
      if (!(event.sessionId in useSessions.getState().byId)) void this.addUnknown(event.sessionId)
      else void this.refreshSession(event.sessionId)
      // linking brings contacts and chats; logging out or clearing changes folders
      if (event.status === 'logged_in' || event.status === 'disconnected') void this.refreshStorage(event.sessionId).catch(() => undefined)
    }
    if (event.type === 'message' && event.sessionId in useStorage.getState().byId) {
      void this.refreshStorage(event.sessionId).catch(() => undefined)
    }
  }

  /** A session created elsewhere (REST API, another window) shows up with its first status. */
  private async addUnknown(id: string): Promise<void> {
    try {
      const info = await this.bridge.getSession(id)
      useSessions.setState(s => upsert(s, info))
    } catch {
      // removed before it could be read
    }
  }
}
