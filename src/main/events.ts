/** The host's typed event bus: one place every consumer (UI bridge, tray, SSE, webhooks) subscribes to. */
import { EventEmitter } from 'node:events'
import type { HostEvent } from '../shared/domain.js'

type DistributiveOmit<T, K extends keyof any> = T extends unknown ? Omit<T, K> : never

export class HostEvents {
  private readonly emitter = new EventEmitter()

  constructor() {
    // Many consumers may listen (SSE clients, UI windows); each removes itself.
    this.emitter.setMaxListeners(0)
  }

  emit(event: DistributiveOmit<HostEvent, 'at'>): void {
    this.emitter.emit('event', { ...event, at: Date.now() } as HostEvent)
  }

  /** Subscribes to every event; returns the unsubscribe. */
  subscribe(listener: (event: HostEvent) => void): () => void {
    this.emitter.on('event', listener)
    return () => this.emitter.off('event', listener)
  }
}
