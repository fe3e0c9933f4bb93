/** Creating a session: a name, how to link (QR, or pairing code with a phone number), and an optional webhook. */
import { type FormEvent, useState } from 'react'
import { createSessionRequestSchema, type CreateSessionRequest } from '../../../shared/bridge.js'
import { useHost } from '../lib/context.js'
import { useAction } from '../lib/use-action.js'
import { showView } from '../stores/app.js'
import { ErrorNote } from './EmptyState.js'
import { Modal } from './Modal.js'

export function CreateSessionDialog({ onClose }: { onClose(): void }) {
  const { bridge, feed } = useHost()
  const [name, setName] = useState('')
  const [method, setMethod] = useState<'qr' | 'code'>('qr')
  const [phone, setPhone] = useState('')
  const [webhookUrl, setWebhookUrl] = useState('')
  const [webhookSecret, setWebhookSecret] = useState('')
  const create = useAction(async (request: CreateSessionRequest) => {
    const session = await bridge.createSession(request)
    feed.upsertSession(session)
    showView({ kind: 'session', id: session.id })
    onClose()
  })

  const submit = (event: FormEvent) => {
    event.preventDefault()
    const request = {
      ...(name.trim() ? { name: name.trim() } : {}),
      ...(method === 'code' ? { pairWithPhone: phone } : {}),
      ...(webhookUrl.trim() ? { webhook: { url: webhookUrl.trim(), ...(webhookSecret ? { secret: webhookSecret } : {}) } } : {})
    }
    const parsed = createSessionRequestSchema.safeParse(request)
    if (!parsed.success) {
      create.setError(parsed.error.issues.map(i => `${fieldName(i.path)}: ${i.message}`).join('; '))
      return
    }
    void create.call(parsed.data)
  }

  return (
    <Modal title="New session" onClose={onClose} testId="create-dialog">
      <form className="form" onSubmit={submit} noValidate>
        <label>
          Name
          <input data-testid="create-name" value={name} onChange={e => setName(e.target.value)} placeholder="Support line" maxLength={100} autoFocus />
        </label>
        <fieldset className="segmented">
          <legend>Link with</legend>
          <label><input type="radio" name="method" data-testid="create-method-qr" checked={method === 'qr'} onChange={() => setMethod('qr')} /> QR code</label>
          <label><input type="radio" name="method" data-testid="create-method-code" checked={method === 'code'} onChange={() => setMethod('code')} /> Pairing code</label>
        </fieldset>
        {method === 'code' && (
          <label>
            Phone number
            <input data-testid="create-phone" value={phone} onChange={e => setPhone(e.target.value)} placeholder="+1 555 000 1234" inputMode="tel" required />
            <small>WhatsApp shows a notification on this phone; type the code there.</small>
          </label>
        )}
        <details>
          <summary>Webhook (optional)</summary>
          <label>
            URL
            <input data-testid="create-webhook-url" value={webhookUrl} onChange={e => setWebhookUrl(e.target.value)} placeholder="https://example.com/hook" type="url" />
          </label>
          <label>
            Secret
            <input data-testid="create-webhook-secret" value={webhookSecret} onChange={e => setWebhookSecret(e.target.value)} placeholder="at least 8 characters" />
          </label>
        </details>
        <ErrorNote message={create.error} testId="create-error" />
        <div className="modal-actions">
          <button type="button" className="button" onClick={onClose}>Cancel</button>
          <button type="submit" className="button primary" data-testid="create-submit" disabled={create.busy}>
            {create.busy ? 'Creating…' : 'Create session'}
          </button>
        </div>
      </form>
    </Modal>
  )
}

function fieldName(path: PropertyKey[]): string {
  const key = path.map(String).join('.')
  return ({ name: 'Name', pairWithPhone: 'Phone number', 'webhook.url': 'Webhook URL', 'webhook.secret': 'Webhook secret' } as Record<string, string>)[key] ?? key
}
