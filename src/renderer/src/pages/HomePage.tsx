/** No session chosen: an overview by status, or a first-run welcome. */
import { useMemo } from 'react'
import { EmptyState } from '../components/EmptyState.js'
import { EventLog } from '../components/session/EventLog.js'
import { STATUS_LABELS } from '../lib/format.js'
import { useSessions } from '../stores/sessions.js'
import { SESSION_STATUSES } from '../../../shared/domain.js'

export function HomePage({ onCreate }: { onCreate(): void }) {
  const byId = useSessions(s => s.byId)
  const counts = useMemo(() => {
    const c = Object.fromEntries(SESSION_STATUSES.map(s => [s, 0])) as Record<(typeof SESSION_STATUSES)[number], number>
    for (const s of Object.values(byId)) c[s.status]++
    return c
  }, [byId])
  const total = Object.keys(byId).length
  if (total === 0) {
    return (
      <EmptyState title="Welcome to WaDock" testId="welcome">
        <p>Link a WhatsApp account to start: create a session and scan its QR code with your phone.</p>
        <button type="button" className="button primary" onClick={onCreate}>Create your first session</button>
      </EmptyState>
    )
  }
  return (
    <article className="page" data-testid="home-page">
      <header className="page-header"><h2>Overview</h2></header>
      <div className="stat-grid">
        {SESSION_STATUSES.map(s => (
          <div className="stat" key={s} data-testid={`count-${s}`} data-value={counts[s]}>
            <span className="stat-label">{STATUS_LABELS[s]}</span><span className="stat-value">{counts[s]}</span>
          </div>
        ))}
      </div>
      <EventLog />
    </article>
  )
}
