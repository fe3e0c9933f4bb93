/** Storage statistics per session, as last read or pushed by a `storage` event. */
import { create } from 'zustand'
import type { BridgeEvent } from '../../../shared/bridge.js'
import type { StorageStats } from '../../../shared/domain.js'

export interface StorageState {
  byId: Record<string, StorageStats>
}

export const initialStorage: StorageState = { byId: {} }
export const useStorage = create<StorageState>(() => initialStorage)

export function setStats(state: StorageState, id: string, stats: StorageStats): StorageState {
  return { byId: { ...state.byId, [id]: stats } }
}

export function applyStorageEvent(state: StorageState, event: BridgeEvent): StorageState {
  if (event.type === 'storage') return setStats(state, event.sessionId, event.stats)
  if (event.type === 'session_removed' && event.sessionId in state.byId) {
    const byId = { ...state.byId }
    delete byId[event.sessionId]
    return { byId }
  }
  return state
}
