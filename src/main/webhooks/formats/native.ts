/** WaDock's own format: the event itself as JSON (its schema is `WebhookEvent` in the OpenAPI document). */
import { component } from '../../api/components.js'
import { webhookEventSchema } from '../event-schema.js'
import { json, type PayloadFormat } from './types.js'

export const nativeWebhookEventSchema = component(webhookEventSchema, {
  id: 'WebhookEvent',
  description: 'The body of a webhook request in the native format. Headers: `X-WaDock-Event-Id` (the same on every attempt), '
    + '`X-WaDock-Event-Type`, `X-WaDock-Timestamp` (seconds) and, with a secret, `X-WaDock-Signature: sha256=<hex HMAC-SHA256 of '
    + '"<timestamp>.<body>">`.',
  examples: [{
    id: '0b6f4a4e-8f0c-4c43-9a53-2f1f1d5c8a10', type: 'message', session_id: 'my-session', timestamp: 1764620000123,
    data: { chat: '628123456789@s.whatsapp.net', id: '3EB0C767D82F0A1B', from_me: false, sender: '628123456789@s.whatsapp.net', type: 'conversation', text: 'hello', timestamp: 1764620000, push_name: 'Budi' }
  }]
})

export const nativeFormat: PayloadFormat = {
  batchSize: () => 1,
  render: ([event]) => json(event)
}
