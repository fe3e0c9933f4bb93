/**
 * The sidebar's session list. The list reads only the order; each row subscribes to its own session, so a status
 * change re-renders one row (with hundreds of sessions, an event costs one row's render, not the list's).
 */
import { memo } from 'react'
import { reasonLabel } from '../lib/format.js'
import { showView, useApp } from '../stores/app.js'
import { useSessions } from '../stores/sessions.js'
import { EmptyState, ErrorNote, Spinner } from './EmptyState.js'
import { StatusBadge } from './StatusBadge.js'

export function SessionList() {
  const order = useSessions(s => s.order)
  const loaded = useSessions(s => s.loaded)
  const error = useSessions(s => s.error)
  if (!loaded) return error ? <ErrorNote message={`Could not load the sessions: ${error}`} /> : <Spinner label="Loading sessions…" />
  if (order.length === 0) {
    return (
      <EmptyState title="No sessions yet" testId="sessions-empty">
        <p>Create one to link a WhatsApp account.</p>
      </EmptyState>
    )
  }
  return (
    <ul className="session-list" data-testid="session-list" data-count={order.length} aria-label="Sessions">
      {order.map(id => <SessionRow key={id} id={id} />)}
    </ul>
  )
}

const SessionRow = memo(function SessionRow({ id }: { id: string }) {
  const session = useSessions(s => s.byId[id])
  const selected = useApp(s => s.view.kind === 'session' && s.view.id === id)
  if (!session) return null
  return (
    <li data-testid={`session-row-${id}`} data-status={session.status}>
      <button
        type="button"
        className={`session-row${selected ? ' selected' : ''}`}
        aria-current={selected ? 'page' : undefined}
        onClick={() => showView({ kind: 'session', id })}
      >
        <span className="session-row-name">{session.name ?? session.id}</span>
        <StatusBadge status={session.status} reason={session.reason} />
        <span className="session-row-sub">
          {session.phoneNumber ? `+${session.phoneNumber}` : session.name ? session.id : 'not linked'}
          {session.reason && session.status === 'disconnected' && <span className={`session-row-reason${session.reason === 'user' ? '' : ' bad'}`} data-testid="row-reason"> · {reasonLabel(session.reason)}</span>}
        </span>
      </button>
    </li>
  )
})
