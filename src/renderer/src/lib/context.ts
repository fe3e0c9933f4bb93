/** The bridge and the feed, for any component that calls the host. */
import { createContext, useContext } from 'react'
import type { WaDockBridge } from '../../../shared/bridge.js'
import type { Feed } from '../stores/feed.js'

export interface HostContext {
  bridge: WaDockBridge
  feed: Feed
  /** web UI: continue with a new admin token (after rotating it here) */
  adoptToken?: (token: string) => void
}

export const HostContextValue = createContext<HostContext | null>(null)

export function useHost(): HostContext {
  const value = useContext(HostContextValue)
  if (!value) throw new Error('useHost outside of the host provider')
  return value
}
