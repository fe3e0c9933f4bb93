/** Linking a session: the live QR with its countdown, or a pairing code for a phone number. */
import { type FormEvent, useState } from 'react'
import type { SessionInfo } from '../../../../shared/domain.js'
import { useHost } from '../../lib/context.js'
import { formatPairCode } from '../../lib/format.js'
import { useAction } from '../../lib/use-action.js'
import { linkStateOf, useLinking } from '../../stores/linking.js'
import { Countdown } from '../Countdown.js'
import { ErrorNote, Spinner } from '../EmptyState.js'
import { QrCode } from '../QrCode.js'

export function LinkPanel({ session }: { session: SessionInfo }) {
  const { bridge } = useHost()
  const link = useLinking(s => linkStateOf(s, session.id))
  const [phone, setPhone] = useState('')
  const [code, setCode] = useState<string | null>(null)
  const pair = useAction(async (number: string) => {
    const result = await bridge.requestPairingCode(session.id, number)
    setCode(result.code)
  })
  const submit = (event: FormEvent) => {
    event.preventDefault()
    void pair.call(phone)
  }
  const pairCode = link.pairCode ?? code
  const qr = link.qrCodes[0]

  return (
    <section className="card link-panel" aria-labelledby="link-title" data-testid="link-panel">
      <h3 id="link-title">Link a phone</h3>
      <div className="link-grid">
        <div className="qr-box">
          {session.status === 'waiting_for_qr' && qr ? (
            <>
              <QrCode value={qr} />
              {link.expiresAt !== null && <Countdown until={link.expiresAt} testId="qr-countdown" />}
            </>
          ) : session.status === 'waiting_for_pair_code' || pairCode ? (
            <div className="pair-code-box">
              <span className="muted">Pairing code</span>
              {pairCode ? <strong className="pair-code" data-testid="pair-code">{formatPairCode(pairCode)}</strong> : <Spinner label="Asking WhatsApp for a code…" />}
            </div>
          ) : session.status === 'disconnected' ? (
            <p className="muted idle-note" data-testid="link-idle">Not connected. <b>Connect</b> to show a QR code.</p>
          ) : (
            <Spinner label="Waiting for a QR code…" />
          )}
        </div>
        <ol className="steps">
          <li>Open WhatsApp on your phone.</li>
          <li>Go to <b>Settings → Linked devices → Link a device</b>.</li>
          <li>Scan the QR code, or choose <b>Link with phone number instead</b> and type the pairing code.</li>
        </ol>
      </div>
      <form className="inline-form" onSubmit={submit} aria-label="Link with a pairing code">
        <label>
          Or link by phone number
          <input data-testid="pair-phone" value={phone} onChange={e => setPhone(e.target.value)} placeholder="+1 555 000 1234" inputMode="tel" />
        </label>
        <button type="submit" className="button" data-testid="pair-submit" disabled={pair.busy || !phone.trim()}>
          {pair.busy ? 'Requesting…' : 'Get pairing code'}
        </button>
      </form>
      <ErrorNote message={pair.error} testId="pair-error" />
    </section>
  )
}
