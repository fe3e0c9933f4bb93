/**
 * wuzapi's webhook requests, as wuzapi sends them by default: `application/x-www-form-urlencoded` with the fields
 * `instanceName`, `jsonData` (the event as JSON: `{"event": …, "type": "Message", …}`) and `userID`; with a
 * secret, `x-hmac-signature` is the hex HMAC-SHA256 of that exact body. Event type names and the `event` objects
 * follow wuzapi (its whatsmeow events: `Info`, `MessageIDs`, `State`, …); Go's encoding is reproduced (map keys
 * sorted, `<`, `>`, `&` escaped) so that a receiver re-encoding the fields as Go does gets the same bytes.
 */
import QRCode from 'qrcode'
import type { WebhookEvent } from '../event-schema.js'
import { wuzapiSignature } from '../signing.js'
import type { PayloadFormat, RenderSession } from './types.js'

/** Go's json.Marshal: sorted map keys are the caller's; here the HTML-safe escapes Go applies to strings. */
export const goJson = (value: unknown): string =>
  JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, c => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)

/** Go's url.Values.Encode: keys sorted, url.QueryEscape (space as '+', only A–Z a–z 0–9 - _ . ~ kept). */
export function goFormEncode(fields: Record<string, string>): string {
  const escape = (s: string) => [...Buffer.from(s, 'utf8')].map(b => {
    const c = String.fromCharCode(b)
    if (/[A-Za-z0-9\-_.~]/.test(c)) return c
    if (c === ' ') return '+'
    return `%${b.toString(16).toUpperCase().padStart(2, '0')}`
  }).join('')
  return Object.keys(fields).sort().map(k => `${escape(k)}=${escape(fields[k])}`).join('&')
}

const sortKeys = (o: Record<string, unknown>) => Object.fromEntries(Object.keys(o).sort().map(k => [k, o[k]]))
const rfc3339 = (seconds: number) => new Date(seconds * 1000).toISOString().replace('.000Z', 'Z')
const isGroup = (jid: string) => jid.endsWith('@g.us')

/** The message content as whatsmeow's JSON of the proto names it. */
function messageContent(type: string, text: string | null): Record<string, unknown> {
  if (type === 'conversation') return { conversation: text ?? '' }
  if (type === 'extendedTextMessage') return { extendedTextMessage: { text: text ?? '' } }
  if (type === 'reactionMessage') return { reactionMessage: { text: text ?? '' } }
  return { [type]: text === null ? {} : { caption: text } }
}

const MEDIA = new Set(['imageMessage', 'videoMessage', 'audioMessage', 'documentMessage', 'stickerMessage'])

/** The postmap wuzapi builds for the event, or null for events wuzapi has no webhook for. */
export async function wuzapiPostmap(event: WebhookEvent, session: RenderSession): Promise<Record<string, unknown> | null> {
  const me = session.phoneNumber ? `${session.phoneNumber}@s.whatsapp.net` : ''
  switch (event.type) {
    case 'message':
    case 'message_sent': {
      const d = event.data
      const media = MEDIA.has(d.type) ? d.type.replace('Message', '') : ''
      return {
        type: 'Message',
        event: {
          Info: {
            Chat: d.chat, Sender: d.from_me ? me : (d.sender ?? d.chat), IsFromMe: d.from_me, IsGroup: isGroup(d.chat),
            ID: d.id, Type: media ? 'media' : 'text', PushName: d.push_name ?? '', Timestamp: rfc3339(d.timestamp), MediaType: media
          },
          Message: messageContent(d.type, d.text),
          IsEphemeral: false, IsViewOnce: false, IsViewOnceV2: false, IsEdit: false
        }
      }
    }
    case 'message_ack': {
      const d = event.data
      if (d.status !== 'delivered' && d.status !== 'read' && d.status !== 'played') return null
      const read = d.status !== 'delivered'
      return {
        type: 'ReadReceipt', state: read ? 'Read' : 'Delivered',
        event: { Chat: d.chat, Sender: d.chat, IsFromMe: false, IsGroup: isGroup(d.chat), MessageIDs: [d.id], Timestamp: new Date(event.timestamp).toISOString(), Type: read ? 'read' : '' }
      }
    }
    case 'receipt': {
      const d = event.data
      const read = d.receipt !== 'delivered'
      return {
        type: 'ReadReceipt', state: read ? 'Read' : 'Delivered',
        event: { Chat: d.chat, Sender: d.participant ?? d.chat, IsFromMe: false, IsGroup: isGroup(d.chat), MessageIDs: d.ids, Timestamp: new Date(event.timestamp).toISOString(), Type: read ? 'read' : '' }
      }
    }
    case 'connected': return { type: 'Connected', event: {} }
    case 'disconnected': return { type: 'Disconnected', event: {} }
    case 'logged_out': return { type: 'LoggedOut', event: { OnConnect: false, Reason: event.data.reason } }
    case 'qr': return { type: 'QR', event: 'code', qrCodeBase64: await QRCode.toDataURL(event.data.qr) }
    case 'presence': {
      const d = event.data
      return {
        type: 'Presence', state: d.presence === 'available' ? 'online' : 'offline',
        event: { From: d.jid, Unavailable: d.presence === 'unavailable', LastSeen: d.last_seen ? rfc3339(d.last_seen) : '0001-01-01T00:00:00Z' }
      }
    }
    case 'chatstate': {
      const d = event.data
      return {
        type: 'ChatPresence',
        event: { Chat: d.chat, Sender: d.jid, IsFromMe: false, IsGroup: isGroup(d.chat), State: d.state === 'paused' ? 'paused' : 'composing', Media: d.state === 'recording' ? 'audio' : '' }
      }
    }
    case 'group': {
      const d = event.data
      const list = (action: string) => (d.action === action ? d.participants : null)
      return {
        type: 'GroupInfo',
        event: {
          JID: d.jid, Notify: '', Sender: d.author, Timestamp: new Date(event.timestamp).toISOString(),
          Name: d.subject === null ? null : { Name: d.subject }, Join: list('add'), Leave: list('remove'), Promote: list('promote'), Demote: list('demote')
        }
      }
    }
    // wuzapi announces neither bare status changes nor pairing codes (its pairing answer carries the code)
    case 'status':
    case 'pair_code':
      return null
  }
}

export const wuzapiFormat: PayloadFormat = {
  batchSize: () => 1,
  async render([event], config, session) {
    const postmap = await wuzapiPostmap(event, session)
    if (!postmap) return null
    const body = goFormEncode({ jsonData: goJson(sortKeys(postmap)), userID: session.id, instanceName: session.name ?? session.id })
    return {
      body: Buffer.from(body),
      contentType: 'application/x-www-form-urlencoded',
      headers: config.secret ? { 'x-hmac-signature': wuzapiSignature(config.secret, body) } : {} as Record<string, string>
    }
  }
}
