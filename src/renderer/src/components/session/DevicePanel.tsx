/** Who the session is once linked: phone number, push name, LID, device. */
import type { SessionInfo } from '../../../../shared/domain.js'
import { formatDateTime } from '../../lib/format.js'

export function DevicePanel({ session }: { session: SessionInfo }) {
  return (
    <section className="card" aria-labelledby="device-title" data-testid="device-panel">
      <h3 id="device-title">Account</h3>
      <dl className="facts">
        <dt>Phone number</dt><dd data-testid="session-phone">{session.phoneNumber ? `+${session.phoneNumber}` : '—'}</dd>
        <dt>Push name</dt><dd data-testid="session-push-name">{session.pushName ?? '—'}</dd>
        <dt>LID</dt><dd data-testid="session-lid">{session.lid ?? '—'}</dd>
        <dt>Device</dt><dd>{session.deviceId ?? '—'}</dd>
        <dt>Last connected</dt><dd>{formatDateTime(session.lastConnectedAt)}</dd>
        <dt>Created</dt><dd>{formatDateTime(session.createdAt)}</dd>
      </dl>
    </section>
  )
}
