/**
 * The sessions, keyed by id, with their order kept apart: a status change replaces one session's object only, so
 * only its row re-renders and the list itself (which reads `order`) does not.
 */
import { create } from 'zustand'
import type { SessionInfo } from '../../../shared/domain.js'
import type { BridgeEvent } from '../../../shared/bridge.js'

export interface SessionsState {
  loaded: boolean
  error: string | null
  byId: Record<string, SessionInfo>
  order: string[]
}

export const initialSessions: SessionsState = { loaded: false, error: null, byId: {}, order: [] }

export const useSessions = create<SessionsState>(() => initialSessions)

/** The state for a freshly read list (oldest first, as the host lists them). */
export function fromList(list: SessionInfo[]): Pick<SessionsState, 'byId' | 'order' | 'loaded' | 'error'> {
  const byId: Record<string, SessionInfo> = {}
  for (const s of list) byId[s.id] = s
  return { byId, order: list.map(s => s.id), loaded: true, error: null }
}

/** Adds or replaces one session; the order changes only for a new one. */
export function upsert(state: SessionsState, info: SessionInfo): Partial<SessionsState> {
  const known = info.id in state.byId
  return { byId: { ...state.byId, [info.id]: info }, ...(known ? {} : { order: [...state.order, info.id] }) }
}

export function remove(state: SessionsState, id: string): Partial<SessionsState> {
  if (!(id in state.byId)) return {}
  const byId = { ...state.byId }
  delete byId[id]
  return { byId, order: state.order.filter(x => x !== id) }
}

/**
 * The part of an event a session list can apply on its own: status and reason. Other details of a session (phone
 * number, push name, LID) are re-read after a status change.
 */
export function applySessionEvent(state: SessionsState, event: BridgeEvent): Partial<SessionsState> {
  if (event.type === 'session_removed') return remove(state, event.sessionId)
  if (event.type !== 'status') return {}
  const current = state.byId[event.sessionId]
  if (!current || (current.status === event.status && current.reason === event.reason)) return {}
  const next: SessionInfo = {
    ...current,
    status: event.status,
    reason: event.reason,
    isLoggedIn: event.status === 'logged_in' ? true : current.isLoggedIn,
    updatedAt: event.at
  }
  return { byId: { ...state.byId, [event.sessionId]: next } }
}
