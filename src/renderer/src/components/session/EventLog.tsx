/** Recent events, newest first: all sessions', or one session's. */
import { useMemo } from 'react'
import type { BridgeEvent } from '../../../../shared/bridge.js'
import { formatPairCode, formatTime, reasonLabel, STATUS_LABELS } from '../../lib/format.js'
import { eventSessionId, useEvents } from '../../stores/events.js'

const SHOWN = 50

export function EventLog({ sessionId }: { sessionId?: string }) {
  const events = useEvents(s => s.events)
  const shown = useMemo(() => {
    const mine = sessionId ? events.filter(e => eventSessionId(e) === sessionId) : events
    return mine.slice(-SHOWN).reverse()
  }, [events, sessionId])
  return (
    <section className="card" aria-labelledby="events-title">
      <h3 id="events-title">Recent events</h3>
      {shown.length === 0 ? <p className="muted" data-testid="events-empty">Nothing has happened yet.</p> : (
        <ol className="event-log" data-testid="recent-events" aria-live="polite">
          {shown.map((e, i) => (
            <li key={`${e.at}-${e.type}-${i}`} data-testid="event-item" data-type={e.type}>
              <time>{formatTime(e.at)}</time>
              <span className={`event-type event-${e.type}`}>{e.type.replace('_', ' ')}</span>
              <span className="event-text">{!sessionId && eventSessionId(e) && <b className="event-session">{eventSessionId(e)} </b>}{describe(e)}</span>
            </li>
          ))}
        </ol>
      )}
    </section>
  )
}

export function describe(e: BridgeEvent): string {
  switch (e.type) {
    case 'status': return `${STATUS_LABELS[e.status]}${e.reason ? ` (${reasonLabel(e.reason)})` : ''}`
    case 'message': {
      const who = e.fromMe ? 'sent' : `from ${e.sender?.split('@')[0] ?? e.chat.split('@')[0]}`
      return `${who}: ${e.text ?? `[${e.messageType}]`}`
    }
    case 'message_ack': return `message ${e.id} → ${e.status}${e.error ? ` (${e.error})` : ''}`
    case 'pair_code': return `pairing code ${formatPairCode(e.code)}`
    case 'qr': return 'new QR code'
    case 'session_removed': return 'session deleted'
    case 'webhook_delivery': return `${e.delivery.eventType} → ${e.delivery.statusCode ?? e.delivery.error ?? 'no answer'} (${e.delivery.outcome})`
    case 'storage': return 'storage changed'
    case 'settings': return 'settings changed'
  }
}
