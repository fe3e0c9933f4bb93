import type { SessionReason, SessionStatus } from '../../../shared/domain.js'
import { reasonLabel, STATUS_LABELS, statusTone } from '../lib/format.js'

export function StatusBadge({ status, reason }: { status: SessionStatus; reason: SessionReason | null }) {
  const label = STATUS_LABELS[status]
  const why = reason && status === 'disconnected' ? reasonLabel(reason) : null
  return (
    <span
      className={`badge badge-${statusTone(status, reason)}`}
      data-testid="status-badge"
      data-status={status}
      data-reason={reason ?? ''}
      aria-label={why ? `${label}: ${why}` : label}
    >
      <span className="badge-dot" aria-hidden="true" />
      {label}
      {why && <span className="badge-reason">· {why}</span>}
    </span>
  )
}
