/** Connect, disconnect, log out, clear media, delete: the destructive ones ask first. */
import type { SessionInfo } from '../../../../shared/domain.js'
import { useHost } from '../../lib/context.js'
import { useAction } from '../../lib/use-action.js'
import { showView } from '../../stores/app.js'
import { ConfirmButton } from '../ConfirmButton.js'
import { ErrorNote } from '../EmptyState.js'

export function SessionActions({ session }: { session: SessionInfo }) {
  const { bridge, feed } = useHost()
  const { id, status } = session
  const act = useAction(async (what: 'connect' | 'disconnect' | 'logout' | 'clear' | 'delete') => {
    switch (what) {
      case 'connect': feed.upsertSession(await bridge.connectSession(id)); break
      case 'disconnect': feed.upsertSession(await bridge.disconnectSession(id)); break
      case 'logout': feed.upsertSession(await bridge.logoutSession(id)); break
      case 'clear': await bridge.clearSession(id); await feed.refreshStorage(id); break
      case 'delete': await bridge.deleteSession(id); showView({ kind: 'home' }); break
    }
  })
  const offline = status === 'disconnected'
  return (
    <div className="actions" role="toolbar" aria-label="Session actions">
      <button type="button" className="button primary" data-testid="action-connect" disabled={act.busy || !offline} onClick={() => void act.call('connect')}>
        Connect
      </button>
      <button type="button" className="button" data-testid="action-disconnect" disabled={act.busy || offline} onClick={() => void act.call('disconnect')}>
        Disconnect
      </button>
      <ConfirmButton
        label="Log out" testId="action-logout" disabled={act.busy || !session.isLoggedIn}
        question={`Log out ${session.name ?? id}?`}
        detail="The linked device is removed from the phone and its credentials are forgotten; linking again needs a new scan."
        confirmLabel="Log out" onConfirm={() => void act.call('logout')}
      />
      <ConfirmButton
        label="Clear media" testId="action-clear" disabled={act.busy}
        question="Clear stored media?"
        detail="Downloaded media, thumbnails and profile pictures of this session are deleted from disk. Messages stay."
        confirmLabel="Clear media" onConfirm={() => void act.call('clear')}
      />
      <ConfirmButton
        label="Delete" testId="action-delete" disabled={act.busy}
        question={`Delete ${session.name ?? id}?`}
        detail="The session is logged out and every message, contact and file it stored is removed. This cannot be undone."
        confirmLabel="Delete session" onConfirm={() => void act.call('delete')}
      />
      <ErrorNote message={act.error} testId="action-error" />
    </div>
  )
}
