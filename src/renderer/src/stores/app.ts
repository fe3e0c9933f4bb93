/** What the whole UI needs: the host's description, app settings, readiness, the connection, the current view. */
import { create } from 'zustand'
import type { AppInfo, AppSettings, BridgeEvent } from '../../../shared/bridge.js'

export type View = { kind: 'home' } | { kind: 'session'; id: string } | { kind: 'settings' }

export type Connection = 'connecting' | 'open' | 'reconnecting' | 'refused'

export interface AppState {
  info: AppInfo | null
  settings: AppSettings | null
  /** the first data arrived */
  ready: boolean
  /** a failure to load the first data */
  loadError: string | null
  connection: Connection
  view: View
}

export const initialApp: AppState = { info: null, settings: null, ready: false, loadError: null, connection: 'connecting', view: { kind: 'home' } }
export const useApp = create<AppState>(() => initialApp)

export function applyAppEvent(state: AppState, event: BridgeEvent): Partial<AppState> {
  if (event.type === 'settings') return { settings: event.settings }
  // The page of a session that is gone has nothing left to show.
  if (event.type === 'session_removed' && state.view.kind === 'session' && state.view.id === event.sessionId) return { view: { kind: 'home' } }
  return {}
}

export function showView(view: View): void {
  useApp.setState({ view })
}
