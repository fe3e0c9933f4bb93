/** The session's webhook (URL, secret) and the log of its delivery attempts. */
import { type FormEvent, useEffect, useState } from 'react'
import { type SessionInfo, webhookConfigSchema } from '../../../../shared/domain.js'
import { useHost } from '../../lib/context.js'
import { formatTime } from '../../lib/format.js'
import { useAction } from '../../lib/use-action.js'
import { useWebhooks } from '../../stores/webhooks.js'
import { ErrorNote } from '../EmptyState.js'

const NO_DELIVERIES: never[] = []

export function WebhookPanel({ session }: { session: SessionInfo }) {
  const { bridge, feed } = useHost()
  const deliveries = useWebhooks(s => s.byId[session.id] ?? NO_DELIVERIES)
  const [url, setUrl] = useState(session.webhook?.url ?? '')
  const [secret, setSecret] = useState(session.webhook?.secret ?? '')
  const [saved, setSaved] = useState(false)
  useEffect(() => {
    setUrl(session.webhook?.url ?? '')
    setSecret(session.webhook?.secret ?? '')
  }, [session.webhook])
  const save = useAction(async (config: Parameters<typeof bridge.setWebhook>[1]) => {
    await bridge.setWebhook(session.id, config)
    await feed.refreshSession(session.id)
    setSaved(true)
  })
  const submit = (event: FormEvent) => {
    event.preventDefault()
    setSaved(false)
    if (!url.trim()) {
      void save.call(null)
      return
    }
    const parsed = webhookConfigSchema.safeParse({ ...session.webhook, url: url.trim(), secret: secret || undefined })
    if (!parsed.success) {
      save.setError(parsed.error.issues.map(i => `${i.path.join('.') || 'webhook'}: ${i.message}`).join('; '))
      return
    }
    void save.call(parsed.data)
  }

  return (
    <section className="card" aria-labelledby="webhook-title" data-testid="webhook-panel">
      <h3 id="webhook-title">Webhook</h3>
      <form className="form" onSubmit={submit}>
        <label>URL<input data-testid="webhook-url" value={url} onChange={e => setUrl(e.target.value)} placeholder="https://example.com/hook (empty: none)" /></label>
        <label>Secret<input data-testid="webhook-secret" value={secret} onChange={e => setSecret(e.target.value)} placeholder="signs each delivery (optional)" /></label>
        <div className="form-actions">
          <button type="submit" className="button" data-testid="webhook-save" disabled={save.busy}>Save webhook</button>
          {saved && !save.error && <span className="muted" role="status">Saved</span>}
        </div>
        <ErrorNote message={save.error} testId="webhook-error" />
      </form>
      <h4>Deliveries</h4>
      {deliveries.length === 0 ? <p className="muted" data-testid="webhook-deliveries-empty">No deliveries yet.</p> : (
        <table className="table" data-testid="webhook-deliveries">
          <thead><tr><th>Time</th><th>Event</th><th>Attempt</th><th>Answer</th><th>Latency</th><th>Outcome</th></tr></thead>
          <tbody>
            {deliveries.map(d => (
              <tr key={`${d.eventId}-${d.attempt}`} className={d.ok ? '' : 'row-bad'}>
                <td>{formatTime(d.at)}</td>
                <td>{d.eventType}</td>
                <td>{d.attempt}</td>
                <td title={d.error ?? undefined}>{d.statusCode ?? d.error ?? '—'}</td>
                <td>{d.latencyMs} ms</td>
                <td>{d.outcome}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  )
}
