/** The most recent host events, newest last, across all sessions. */
import { create } from 'zustand'
import type { BridgeEvent } from '../../../shared/bridge.js'

export const MAX_EVENTS = 300

export interface EventsState {
  events: BridgeEvent[]
}

export const initialEvents: EventsState = { events: [] }
export const useEvents = create<EventsState>(() => initialEvents)

/** Events shown in a log: QR rotations and storage figures are state, not news. */
export function isLogged(event: BridgeEvent): boolean {
  return event.type !== 'qr' && event.type !== 'storage' && event.type !== 'settings'
}

export function appendEvent(state: EventsState, event: BridgeEvent): EventsState {
  if (!isLogged(event)) return state
  const events = state.events.length >= MAX_EVENTS ? state.events.slice(state.events.length - MAX_EVENTS + 1) : state.events.slice()
  events.push(event)
  return { events }
}

/** Merges the host's history (read at start or after a reconnect) with what arrived meanwhile, without duplicates. */
export function mergeHistory(state: EventsState, history: BridgeEvent[]): EventsState {
  const key = (e: BridgeEvent) => JSON.stringify(e)
  const seen = new Set(history.map(key))
  const merged = [...history.filter(isLogged), ...state.events.filter(e => !seen.has(key(e)))]
  merged.sort((a, b) => a.at - b.at)
  return { events: merged.slice(-MAX_EVENTS) }
}

export function eventSessionId(event: BridgeEvent): string | null {
  return 'sessionId' in event ? event.sessionId : null
}
