/**
 * Witi.me's PostBack: each event as JSON with its `event` name, session states as Witi.me's status codes
 * (`status` 10 / `statusString` "WhatsAppAuthenticated", …). With BULK on, a request carries several events as
 * `BULK,` + a JSON array; with BULKGZ as `BULKGZ,` + base64(zlib(JSON array)).
 */
import { deflateSync } from 'node:zlib'
import type { WebhookConfig } from '../../../shared/domain.js'
import type { WebhookEvent } from '../event-schema.js'
import { announcedByCompanion, json, type PayloadFormat } from './types.js'

/** Events per batched request: enough to drain a backlog quickly, small enough for any receiver. */
export const WITIME_BATCH = 50

const ACKS = { error: -1, pending: 0, server_ack: 1, delivered: 2, read: 3, played: 4 } as const

function connectionStatus(event: WebhookEvent): { status: number; statusString: string; connected: boolean } | undefined {
  if (event.type === 'connected') return { status: 10, statusString: 'WhatsAppAuthenticated', connected: true }
  if (event.type === 'logged_out') return { status: 13, statusString: 'WhatsAppNotAuthenticated', connected: false }
  if (event.type !== 'status') return undefined
  switch (event.data.status) {
    case 'connecting': return { status: 2, statusString: 'webSocketOpen', connected: false }
    case 'waiting_for_qr':
    case 'waiting_for_pair_code': return { status: 3, statusString: 'waitForQRAuthentication', connected: false }
    case 'connected': return { status: 4, statusString: 'Starting', connected: false }
    case 'logged_in': return { status: 10, statusString: 'WhatsAppAuthenticated', connected: true }
    case 'disconnected': return event.data.reason === 'logged_out'
      ? { status: 13, statusString: 'WhatsAppNotAuthenticated', connected: false }
      : { status: 11, statusString: 'WhatsAppAuthenticatedConnectionClosed', connected: false }
  }
}

export function witimePostback(event: WebhookEvent): Record<string, unknown> {
  const base = { WebID: event.session_id, eventId: event.id, date: Math.floor(event.timestamp / 1000) }
  const status = connectionStatus(event)
  if (status) return { event: 'status', ...base, ...status }
  switch (event.type) {
    case 'message':
    case 'message_sent': {
      const d = event.data
      return {
        event: 'message', ...base, id: d.id, chat: d.chat, from: d.from_me ? null : (d.sender ?? d.chat), fromMe: d.from_me,
        isGroup: d.chat.endsWith('@g.us'), type: d.type, body: d.text, timestamp: d.timestamp, pushName: d.push_name
      }
    }
    case 'message_ack':
      return { event: 'ack', ...base, id: event.data.id, chat: event.data.chat, fromMe: event.data.from_me, ack: ACKS[event.data.status], status: event.data.status }
    case 'qr':
      return { event: 'qrcode', ...base, qr: event.data.qr, ttl: Math.max(0, Math.round((event.data.expires_at - event.timestamp) / 1000)) }
    default:
      return { event: event.type, ...base, ...event.data }
  }
}

const batching = (config: WebhookConfig) => config.batch ?? 'none'

export const witimeFormat: PayloadFormat = {
  // a login or logout is one callback, not two
  skip: announcedByCompanion,
  batchSize: config => (batching(config) === 'none' ? 1 : WITIME_BATCH),
  render(events, config) {
    const mode = batching(config)
    if (mode === 'none') return json(witimePostback(events[0]))
    const array = JSON.stringify(events.map(witimePostback))
    const body = mode === 'bulk' ? `BULK,${array}` : `BULKGZ,${deflateSync(array).toString('base64')}`
    return { body: Buffer.from(body), contentType: 'text/plain; charset=utf-8', headers: {} }
  }
}
