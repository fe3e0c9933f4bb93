/**
 * Sandbox mode's virtual phone: links the QR shown here with a simulated phone, and sends a message to this
 * session as another simulated person, so the whole flow can be tried without a phone.
 */
import { type FormEvent, useState } from 'react'
import type { SessionInfo } from '../../../../shared/domain.js'
import { useHost } from '../../lib/context.js'
import { useAction } from '../../lib/use-action.js'
import { ErrorNote } from '../EmptyState.js'

export function VirtualPhone({ session }: { session: SessionInfo }) {
  const { bridge } = useHost()
  const [phone, setPhone] = useState('15550001111')
  const [name, setName] = useState('Alice')
  const [from, setFrom] = useState('15550002222')
  const [text, setText] = useState('Hello from a virtual phone')
  const [note, setNote] = useState<string | null>(null)
  const link = useAction(async () => {
    const { device } = await bridge.sandboxLink({ sessionId: session.id, phone, name: name.trim() || undefined })
    setNote(`Linked as device ${device}`)
  })
  const send = useAction(async () => {
    const { id } = await bridge.sandboxSendMessage({ fromPhone: from, toSessionId: session.id, text })
    setNote(`Sent message ${id}`)
  })
  const submitLink = (event: FormEvent) => { event.preventDefault(); void link.call() }
  const submitSend = (event: FormEvent) => { event.preventDefault(); void send.call() }

  return (
    <section className="card virtual-phone" aria-labelledby="vp-title" data-testid="virtual-phone">
      <h3 id="vp-title"><span className="pill">Sandbox</span> Virtual phone</h3>
      <p className="muted">
        {session.isLoggedIn
          ? 'Write to this session as another person: the message arrives as it would from WhatsApp.'
          : "Sessions here run against WaDock's built-in WhatsApp simulator: let a virtual phone scan this session's QR code."}
      </p>
      {!session.isLoggedIn ? (
        <>
          <form className="inline-form" onSubmit={submitLink} aria-label="Scan the QR code with a virtual phone">
            <label>Phone number<input data-testid="vp-phone" value={phone} onChange={e => setPhone(e.target.value)} inputMode="tel" /></label>
            <label>Name<input data-testid="vp-name" value={name} onChange={e => setName(e.target.value)} /></label>
            <button type="submit" className="button primary" data-testid="vp-link" disabled={link.busy || session.status === 'waiting_for_pair_code'}>
              {link.busy ? 'Scanning…' : 'Scan the QR code'}
            </button>
          </form>
          <ErrorNote message={link.error} testId="vp-link-error" />
        </>
      ) : (
        <>
          <form className="inline-form" onSubmit={submitSend} aria-label="Send a message as another person">
            <label>From<input data-testid="vp-from" value={from} onChange={e => setFrom(e.target.value)} inputMode="tel" /></label>
            <label className="grow">Message<input data-testid="vp-text" value={text} onChange={e => setText(e.target.value)} /></label>
            <button type="submit" className="button primary" data-testid="vp-send" disabled={send.busy || session.status !== 'logged_in' || !text}>
              {send.busy ? 'Sending…' : 'Send to this session'}
            </button>
          </form>
          <ErrorNote message={send.error} testId="vp-send-error" />
        </>
      )}
      {note && <p className="muted" role="status" data-testid="vp-note">{note}</p>}
    </section>
  )
}
