/**
 * WhatsGate's callback: one JSON POST per event to the session's `callback` URL, in WhatsGate's vocabulary:
 * `WhatsappID` (the session's unique id), a `type` and its `data`; session states as WhatsGate names them
 * (`PENDING`/Initialization, `AUTH`/Authorization, `READY`/Working) and message fields as its `send` command
 * takes them (`number`, `text`).
 */
import type { SessionStatus } from '../../../shared/domain.js'
// the id the WhatsGate dialect hands out for the session, so callbacks name it as its commands do
import { uniqueIdOf } from '../../api/dialects/whatsgate/unique-id.js'
import type { WebhookEvent } from '../event-schema.js'
import { announcedByCompanion, json, type PayloadFormat } from './types.js'

const STATES: Record<SessionStatus, [string, string]> = {
  disconnected: ['PENDING', 'Initialization'],
  connecting: ['PENDING', 'Initialization'],
  connected: ['PENDING', 'Initialization'],
  waiting_for_qr: ['AUTH', 'Authorization'],
  waiting_for_pair_code: ['AUTH', 'Authorization'],
  logged_in: ['READY', 'Working']
}

const ACKS = { error: -1, pending: 0, server_ack: 1, delivered: 2, read: 3, played: 4 } as const

const numberOf = (jid: string | null) => (jid ? jid.split('@')[0].split(':')[0] : null)

export function whatsgateCallback(event: WebhookEvent): { type: string; data: Record<string, unknown> } {
  switch (event.type) {
    case 'message':
    case 'message_sent': {
      const d = event.data
      return {
        type: 'message',
        data: {
          id: d.id, chat: d.chat, number: numberOf(d.from_me ? d.chat : (d.sender ?? d.chat)), from_me: d.from_me, is_group: d.chat.endsWith('@g.us'),
          message_type: d.type, text: d.text, pushname: d.push_name, timestamp: d.timestamp
        }
      }
    }
    case 'message_ack':
      return { type: 'ack', data: { id: event.data.id, chat: event.data.chat, ack: ACKS[event.data.status], status: event.data.status, error: event.data.error } }
    case 'status': {
      const [status, name] = STATES[event.data.status]
      return { type: 'status', data: { status, status_name: name, reason: event.data.reason } }
    }
    case 'connected':
      return { type: 'status', data: { status: 'READY', status_name: 'Working', wid: event.data.phone_number ? `${event.data.phone_number}@c.us` : null, pushname: event.data.push_name } }
    case 'logged_out':
      return { type: 'status', data: { status: 'PENDING', status_name: 'Initialization', reason: event.data.reason } }
    default:
      return { type: event.type, data: event.data as Record<string, unknown> }
  }
}

export const whatsgateFormat: PayloadFormat = {
  // a login or logout is one callback, not two
  skip: announcedByCompanion,
  batchSize: () => 1,
  render: ([event], _config, session) => {
    const { type, data } = whatsgateCallback(event)
    return json({ WhatsappID: uniqueIdOf(session.token), event_id: event.id, type, date: new Date(event.timestamp).toISOString(), data })
  }
}
