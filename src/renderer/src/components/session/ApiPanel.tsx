/** The session's own API token and curl examples against the REST API, ready to copy. */
import { useEffect, useState } from 'react'
import { useHost } from '../../lib/context.js'
import { useAction } from '../../lib/use-action.js'
import { useApp } from '../../stores/app.js'
import { CopyField } from '../CopyField.js'
import { ErrorNote, Spinner } from '../EmptyState.js'

export function ApiPanel({ sessionId }: { sessionId: string }) {
  const { bridge } = useHost()
  const apiUrl = useApp(s => s.info?.apiUrl ?? null)
  const [token, setToken] = useState<string | null>(null)
  const [error, setError] = useState<string | null>(null)
  useEffect(() => {
    let current = true
    setToken(null)
    bridge.sessionToken(sessionId).then(r => { if (current) setToken(r.token) }, err => { if (current) setError(String(err?.message ?? err)) })
    return () => { current = false }
  }, [bridge, sessionId])
  const rotate = useAction(async () => setToken((await bridge.rotateSessionToken(sessionId)).token))

  return (
    <section className="card" aria-labelledby="api-title" data-testid="api-panel">
      <h3 id="api-title">REST API</h3>
      <ErrorNote message={error ?? rotate.error} />
      {!token ? <Spinner label="Reading the token…" /> : (
        <>
          <CopyField label="Session token" value={token} secret testId="session-token" />
          <button type="button" className="button small" onClick={() => void rotate.call()} disabled={rotate.busy} data-testid="rotate-session-token">
            Rotate token
          </button>
          {apiUrl ? (
            <div data-testid="curl-examples">
              <CopyField label="Status" multiline value={`curl -s ${apiUrl}/api/v1/sessions/${sessionId}/status \\\n  -H "Authorization: Bearer ${token}"`} />
              <CopyField label="Send a text" multiline value={`curl -s -X POST ${apiUrl}/api/v1/sessions/${sessionId}/messages/text \\\n  -H "Authorization: Bearer ${token}" -H 'content-type: application/json' \\\n  -d '{"to": "15550001234", "text": "Hello from WaDock"}'`} />
              <CopyField label="Recent messages" multiline value={`curl -s "${apiUrl}/api/v1/sessions/${sessionId}/messages?limit=20" \\\n  -H "Authorization: Bearer ${token}"`} />
            </div>
          ) : <p className="muted" data-testid="api-off">The REST API is off; turn it on in Settings to use it.</p>}
        </>
      )}
    </section>
  )
}
