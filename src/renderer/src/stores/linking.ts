/** The live QR codes and pairing codes of sessions waiting to be linked. */
import { create } from 'zustand'
import type { BridgeEvent, QrState } from '../../../shared/bridge.js'

export interface LinkState {
  qrCodes: string[]
  expiresAt: number | null
  pairCode: string | null
}

export interface LinkingState {
  byId: Record<string, LinkState>
}

export const initialLinking: LinkingState = { byId: {} }
export const useLinking = create<LinkingState>(() => initialLinking)

const EMPTY: LinkState = { qrCodes: [], expiresAt: null, pairCode: null }
const MAX_CODES = 5

export function linkStateOf(state: LinkingState, id: string): LinkState {
  return state.byId[id] ?? EMPTY
}

export function setQrState(state: LinkingState, id: string, qr: QrState): LinkingState {
  const current = linkStateOf(state, id)
  return { byId: { ...state.byId, [id]: { ...current, qrCodes: qr.qrCodes, expiresAt: qr.expiresAt } } }
}

export function applyLinkingEvent(state: LinkingState, event: BridgeEvent): LinkingState {
  switch (event.type) {
    case 'qr': {
      const current = linkStateOf(state, event.sessionId)
      const qrCodes = [event.qr, ...current.qrCodes.filter(q => q !== event.qr)].slice(0, MAX_CODES)
      return { byId: { ...state.byId, [event.sessionId]: { ...current, qrCodes, expiresAt: event.expiresAt } } }
    }
    case 'pair_code': {
      const current = linkStateOf(state, event.sessionId)
      return { byId: { ...state.byId, [event.sessionId]: { ...current, pairCode: event.code } } }
    }
    case 'status': {
      // A QR or pairing code means something only while the session waits for one.
      if (event.status === 'waiting_for_qr' || event.status === 'waiting_for_pair_code') return state
      if (!(event.sessionId in state.byId)) return state
      const byId = { ...state.byId }
      delete byId[event.sessionId]
      return { byId }
    }
    case 'session_removed': {
      if (!(event.sessionId in state.byId)) return state
      const byId = { ...state.byId }
      delete byId[event.sessionId]
      return { byId }
    }
    default:
      return state
  }
}
