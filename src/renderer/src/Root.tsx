/**
 * Chooses the transport and owns it: the preload's bridge in the desktop app; in a browser, a WebSocket client
 * made from the admin token (URL fragment, sessionStorage or the sign-in form), closed when the token changes.
 */
import { useCallback, useEffect, useMemo, useState } from 'react'
import type { WaDockBridge } from '../../shared/bridge.js'
import { App } from './App.js'
import { electronBridge, forgetToken, saveToken, takeToken, WebBridgeClient, webBridgeUrl } from './bridge/index.js'
import { refusalReason } from './bridge/probe.js'
import { HostContextValue } from './lib/context.js'
import { Feed } from './stores/feed.js'
import { useApp } from './stores/app.js'
import { resetStores } from './stores/reset.js'
import { SignInPage } from './pages/SignInPage.js'

const place = () => ({ location: window.location, history: window.history, storage: window.sessionStorage })

export function Root() {
  const desktop = useMemo(() => electronBridge(), [])
  if (desktop) return <Connected bridge={desktop} />
  return <WebRoot />
}

function Connected({ bridge, onSignOut }: { bridge: WaDockBridge; onSignOut?: () => void }) {
  const feed = useMemo(() => new Feed(bridge), [bridge])
  useEffect(() => {
    feed.start()
    return () => feed.stop()
  }, [feed])
  const host = useMemo(() => ({ bridge, feed }), [bridge, feed])
  return (
    <HostContextValue.Provider value={host}>
      <App onSignOut={onSignOut} />
    </HostContextValue.Provider>
  )
}

function WebRoot() {
  const [token, setToken] = useState<string | null>(() => takeToken(place()))
  const [error, setError] = useState<string | null>(null)
  const [client, setClient] = useState<WebBridgeClient | null>(null)

  useEffect(() => {
    if (!token) return
    const c = new WebBridgeClient({ url: webBridgeUrl(window.location), token })
    let everOpen = false
    const off = c.onConnection(state => {
      if (state.kind === 'open') {
        useApp.setState({ connection: 'open' })
        everOpen = true
      } else if (state.kind === 'connecting') useApp.setState({ connection: everOpen ? 'reconnecting' : 'connecting' })
      else if (state.kind === 'refused') {
        useApp.setState({ connection: 'refused' })
        forgetToken(place())
        const reason = state.rotated
          ? Promise.resolve('The admin token was changed. Sign in with the new one.')
          : refusalReason()
        void reason.then(text => {
          setError(text)
          setToken(null)
        })
      }
    })
    setClient(c)
    return () => {
      off()
      c.close()
      setClient(null)
      // the next connection reads everything again; where the user was stays
      const view = useApp.getState().view
      resetStores()
      useApp.setState({ view })
    }
  }, [token])

  const adoptToken = useCallback((next: string) => {
    saveToken(place(), next)
    setToken(next)
  }, [])

  if (!token || !client) {
    return (
      <div className="app-signin" data-testid="app" data-app-state="signin">
        <SignInPage error={error} onSubmit={t => { saveToken(place(), t); setError(null); setToken(t) }} />
      </div>
    )
  }
  return <WebConnected client={client} adoptToken={adoptToken} onSignOut={() => { forgetToken(place()); setToken(null) }} />
}

function WebConnected({ client, onSignOut, adoptToken }: { client: WebBridgeClient; onSignOut(): void; adoptToken(token: string): void }) {
  const feed = useMemo(() => new Feed(client.bridge), [client])
  useEffect(() => {
    feed.start()
    // after a reconnect, events may have been missed: read everything again
    let opened = client.connection.kind === 'open'
    const off = client.onConnection(state => {
      if (state.kind !== 'open') return
      if (opened) void feed.loadAll()
      opened = true
    })
    return () => {
      off()
      feed.stop()
    }
  }, [client, feed])
  const host = useMemo(() => ({ bridge: client.bridge, feed, adoptToken }), [client, feed, adoptToken])
  return (
    <HostContextValue.Provider value={host}>
      <App onSignOut={onSignOut} />
    </HostContextValue.Provider>
  )
}
