/** What every webhook payload format provides: the request body for one event (or a batch) of a session. */
import type { WebhookConfig } from '../../../shared/domain.js'
import type { WebhookEvent } from '../event-schema.js'

export interface RenderSession {
  id: string
  name: string | null
  phoneNumber: string | null
  /** the session's API token: WhatsGate's callbacks name the session by an id derived from it */
  token: string
}

export interface RenderedRequest {
  body: Buffer
  contentType: string
  /** format-specific headers (wuzapi's signature); WaDock's own event id, timestamp and signature are added to all */
  headers: Record<string, string>
}

export interface PayloadFormat {
  /** events this format leaves out altogether (they count as delivered, and are not named in the request's headers) */
  skip?(event: WebhookEvent, config: WebhookConfig): boolean
  /** how many events one request may carry under this configuration (1 unless batching is on) */
  batchSize(config: WebhookConfig): number
  /** the request for these events, in order; null when this format has nothing to say about them */
  render(events: WebhookEvent[], config: WebhookConfig, session: RenderSession): Promise<RenderedRequest | null> | RenderedRequest | null
}

export const json = (value: unknown): RenderedRequest => ({ body: Buffer.from(JSON.stringify(value)), contentType: 'application/json', headers: {} })

/**
 * A status change that a companion event announces too (`logged_in` with `connected`, a logout with `logged_out`),
 * when the webhook receives that one: formats that render both as the same callback send it once, from the companion,
 * which says more (the number, the push name).
 */
export function announcedByCompanion(event: WebhookEvent, config: WebhookConfig): boolean {
  if (event.type !== 'status') return false
  const receives = (type: 'connected' | 'logged_out') => !config.events?.length || config.events.includes(type)
  if (event.data.status === 'logged_in') return receives('connected')
  if (event.data.status === 'disconnected' && event.data.reason === 'logged_out') return receives('logged_out')
  return false
}
