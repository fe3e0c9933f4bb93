/** The web UI without a (valid) admin token: ask for one. */
import { type FormEvent, useState } from 'react'

export function SignInPage({ error, onSubmit }: { error: string | null; onSubmit(token: string): void }) {
  const [token, setToken] = useState('')
  const submit = (event: FormEvent) => {
    event.preventDefault()
    if (token.trim()) onSubmit(token.trim())
  }
  return (
    <main className="signin" data-testid="signin">
      <form className="card form" onSubmit={submit} aria-labelledby="signin-title">
        <h2 id="signin-title">Sign in to WaDock</h2>
        <p className="muted">Paste the admin token that <code>npm run serve</code> printed, or open the address it printed with <code>#token=…</code>.</p>
        <label>Admin token<input data-testid="signin-token" type="password" value={token} onChange={e => setToken(e.target.value)} autoFocus autoComplete="off" /></label>
        {error && <p className="error-note" role="alert" data-testid="signin-error">{error}</p>}
        <button type="submit" className="button primary" data-testid="signin-submit" disabled={!token.trim()}>Sign in</button>
      </form>
    </main>
  )
}
