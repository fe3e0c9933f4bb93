/** One session: header with status and actions, linking while unlinked, then account, storage, API, webhook, events. */
import { useEffect, useState } from 'react'
import { ErrorNote } from '../components/EmptyState.js'
import { EmptyState } from '../components/EmptyState.js'
import { ApiPanel } from '../components/session/ApiPanel.js'
import { DevicePanel } from '../components/session/DevicePanel.js'
import { EventLog } from '../components/session/EventLog.js'
import { LinkPanel } from '../components/session/LinkPanel.js'
import { SessionActions } from '../components/session/SessionActions.js'
import { StoragePanel } from '../components/session/StoragePanel.js'
import { VirtualPhone } from '../components/session/VirtualPhone.js'
import { WebhookPanel } from '../components/session/WebhookPanel.js'
import { StatusBadge } from '../components/StatusBadge.js'
import { useHost } from '../lib/context.js'
import { useApp } from '../stores/app.js'
import { message } from '../stores/feed.js'
import { useSessions } from '../stores/sessions.js'

export function SessionPage({ id }: { id: string }) {
  const { feed } = useHost()
  const session = useSessions(s => s.byId[id])
  const sandbox = useApp(s => s.info?.sandbox ?? false)
  const [error, setError] = useState<string | null>(null)
  useEffect(() => {
    setError(null)
    feed.loadSession(id).catch(err => setError(message(err)))
  }, [feed, id])

  if (!session) return <EmptyState title="This session no longer exists" testId="session-missing" />
  const linking = !session.isLoggedIn || session.status === 'waiting_for_qr' || session.status === 'waiting_for_pair_code'
  return (
    <article className="page" data-testid="session-page" data-session-id={id} aria-labelledby="session-title">
      <header className="page-header">
        <div>
          <h2 id="session-title">{session.name ?? session.id}</h2>
          <span className="muted">{session.id}</span>
        </div>
        <span data-testid="session-status" data-status={session.status} data-reason={session.reason ?? ''}>
          <StatusBadge status={session.status} reason={session.reason} />
        </span>
      </header>
      <SessionActions session={session} />
      <ErrorNote message={error} testId="session-error" />
      <div className="page-grid">
        {/* while linking, the QR and the virtual phone that scans it come first; once linked, the account */}
        {linking && <LinkPanel session={session} />}
        {linking && sandbox && <VirtualPhone session={session} />}
        <DevicePanel session={session} />
        <StoragePanel sessionId={id} />
        {!linking && sandbox && <VirtualPhone session={session} />}
        <EventLog sessionId={id} />
        <ApiPanel sessionId={id} />
        <WebhookPanel session={session} />
      </div>
    </article>
  )
}
