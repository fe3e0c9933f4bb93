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
              {curlExamples(apiUrl, sessionId).map(example => (
                <CopyField key={example.label} label={example.label} multiline value={example.command(token)} display={example.command(shorten(token))} />
              ))}
            </div>
          ) : <p className="muted" data-testid="api-off">The REST API is off; turn it on in Settings to use it.</p>}
        </>
      )}
    </section>
  )
}

/** What to try first, as commands that run as copied (the token in them is the real one). */
function curlExamples(apiUrl: string, id: string) {
  const session = `${apiUrl}/api/v1/sessions/${id}`
  const auth = (token: string) => `-H "Authorization: Bearer ${token}"`
  return [
    { label: 'Status', command: (t: string) => `curl -s ${session}/status \\\n  ${auth(t)}` },
    { label: 'Send a text', command: (t: string) => `curl -s -X POST ${session}/messages/text \\\n  ${auth(t)} -H 'content-type: application/json' \\\n  -d '{"to": "15550001234", "text": "Hello from WaDock"}'` },
    { label: 'Recent messages', command: (t: string) => `curl -s "${session}/messages?limit=20" \\\n  ${auth(t)}` }
  ]
}

/** Shown on screen (screenshots, screen sharing) without the whole token; copied in full. */
const shorten = (token: string) => `${token.slice(0, 4)}…${token.slice(-2)}`
