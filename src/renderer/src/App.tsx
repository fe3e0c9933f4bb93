/** The app's frame once connected: sidebar (sessions, settings), the current page, readiness marker. */
import { useEffect, useState } from 'react'
import { CreateSessionDialog } from './components/CreateSessionDialog.js'
import { ErrorNote, Spinner } from './components/EmptyState.js'
import { SessionList } from './components/SessionList.js'
import { HomePage } from './pages/HomePage.js'
import { SessionPage } from './pages/SessionPage.js'
import { SettingsPage } from './pages/SettingsPage.js'
import { showView, useApp } from './stores/app.js'

/** The session id named by a `#session=<id>` fragment, if any. */
export function sessionOfFragment(hash: string): string | undefined {
  const match = /^#?session=([A-Za-z0-9][A-Za-z0-9_-]{0,63})$/.exec(hash)
  return match?.[1]
}

export function App({ onSignOut }: { onSignOut?: () => void }) {
  const view = useApp(s => s.view)
  const ready = useApp(s => s.ready)
  const loadError = useApp(s => s.loadError)
  const connection = useApp(s => s.connection)
  const sandbox = useApp(s => s.info?.sandbox ?? false)
  const [creating, setCreating] = useState(false)
  const state = ready ? 'ready' : loadError ? 'error' : 'loading'
  useEffect(() => {
    document.getElementById('root')?.setAttribute('data-app-state', state)
  }, [state])
  // `#session=<id>` opens that session's page: the tray's menu sets it, and it makes a session's page linkable.
  useEffect(() => {
    const follow = () => {
      const id = sessionOfFragment(location.hash)
      if (id) showView({ kind: 'session', id })
    }
    follow()
    window.addEventListener('hashchange', follow)
    return () => window.removeEventListener('hashchange', follow)
  }, [])

  return (
    <div className="app" data-testid="app" data-app-state={state}>
      <nav className="sidebar" aria-label="WaDock">
        <div className="brand">
          <span className="brand-mark" aria-hidden="true">W</span>
          <span>WaDock</span>
          {sandbox && <span className="pill" title="Sessions run against the built-in WhatsApp simulator">Sandbox</span>}
        </div>
        <button type="button" className="button primary wide" data-testid="new-session-button" onClick={() => setCreating(true)} disabled={!ready}>
          + New session
        </button>
        <div className="sidebar-list">
          <SessionList />
        </div>
        <div className="sidebar-footer">
          <button type="button" className={`nav-link${view.kind === 'home' ? ' selected' : ''}`} onClick={() => showView({ kind: 'home' })} data-testid="nav-home">Overview</button>
          <button type="button" className={`nav-link${view.kind === 'settings' ? ' selected' : ''}`} onClick={() => showView({ kind: 'settings' })} data-testid="nav-settings">Settings</button>
          {onSignOut && <button type="button" className="nav-link" onClick={onSignOut}>Sign out</button>}
        </div>
      </nav>
      <main className="content">
        {connection === 'reconnecting' && <div className="banner" role="status" data-testid="reconnecting">Connection to WaDock lost; reconnecting…</div>}
        {!ready ? (loadError ? <ErrorNote message={`WaDock could not load its data: ${loadError}`} testId="load-error" /> : <Spinner label="Loading…" />)
          : view.kind === 'session' ? <SessionPage key={view.id} id={view.id} />
          : view.kind === 'settings' ? <SettingsPage />
          : <HomePage onCreate={() => setCreating(true)} />}
      </main>
      {creating && <CreateSessionDialog onClose={() => setCreating(false)} />}
    </div>
  )
}
