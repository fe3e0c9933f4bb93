/**
 * Every event type rendered by every format (the end-to-end suite covers the ones the simulator can cause), the
 * retry rules, and the signature formulas against independently computed values.
 */
import { uniqueIdOf } from '../../../src/main/api/dialects/whatsgate/unique-id.js'
import { createHmac } from 'node:crypto'
import { inflateSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { WEBHOOK_EVENT_TYPES, type WebhookConfig } from '../../../src/shared/domain.js'
import { backoffDelay, retryable } from '../../../src/main/webhooks/dispatcher.js'
import { type WebhookEvent, webhookEventSchema } from '../../../src/main/webhooks/event-schema.js'
import { PAYLOAD_FORMATS } from '../../../src/main/webhooks/formats/index.js'
import { goFormEncode, goJson } from '../../../src/main/webhooks/formats/wuzapi.js'
import { signPayload, verifyPayload } from '../../../src/main/webhooks/signing.js'

const CHAT = '15550000001@s.whatsapp.net'
const GROUP = '120363000000000001@g.us'
const base = { session_id: 's1', timestamp: 1764620000123 }
const message = { chat: CHAT, id: 'ID1', from_me: false, sender: CHAT, type: 'conversation', text: 'hi', timestamp: 1764620000, push_name: 'Ann' }
const EVENTS: WebhookEvent[] = [
  { ...base, id: 'e1', type: 'status', data: { status: 'logged_in', reason: null } },
  { ...base, id: 'e2', type: 'qr', data: { qr: '2@abc,def,ghi', expires_at: 1764620060123 } },
  { ...base, id: 'e3', type: 'pair_code', data: { code: 'ABCD1234' } },
  { ...base, id: 'e4', type: 'connected', data: { phone_number: '15550000009', push_name: 'Me', lid: '123@lid' } },
  { ...base, id: 'e5', type: 'disconnected', data: { reason: 'network' } },
  { ...base, id: 'e6', type: 'logged_out', data: { reason: 'logged_out' } },
  { ...base, id: 'e7', type: 'message', data: message },
  { ...base, id: 'e8', type: 'message_sent', data: { ...message, from_me: true, sender: null, push_name: null, type: 'imageMessage', text: 'caption' } },
  { ...base, id: 'e9', type: 'message_ack', data: { chat: CHAT, id: 'ID1', from_me: true, status: 'read', error: null } },
  { ...base, id: 'e10', type: 'receipt', data: { chat: GROUP, ids: ['ID2'], participant: CHAT, receipt: 'delivered' } },
  { ...base, id: 'e11', type: 'presence', data: { jid: CHAT, presence: 'unavailable', last_seen: 1764610000 } },
  { ...base, id: 'e12', type: 'chatstate', data: { chat: CHAT, jid: CHAT, state: 'recording' } },
  { ...base, id: 'e13', type: 'group', data: { jid: GROUP, action: 'add', participants: [CHAT], subject: null, author: CHAT } }
]
const SESSION = { id: 's1', name: 'Shop', phoneNumber: '15550000009', token: 'shop-token-0123456789' }
const config = (format: WebhookConfig['format'], extra: Partial<WebhookConfig> = {}): WebhookConfig => ({ url: 'http://127.0.0.1/hook', secret: 'render-secret', format, ...extra })

describe('webhook payload formats, every event type', () => {
  it('covers every event type of the settings, each valid against the native schema', () => {
    expect(EVENTS.map(e => e.type).sort()).toEqual([...WEBHOOK_EVENT_TYPES].sort())
    for (const event of EVENTS) expect(webhookEventSchema.parse(event)).toEqual(event)
  })

  it('native: the event itself', async () => {
    for (const event of EVENTS) {
      const r = (await PAYLOAD_FORMATS.native.render([event], config('native'), SESSION))!
      expect(JSON.parse(r.body.toString())).toEqual(event)
      expect(r.contentType).toBe('application/json')
    }
  })

  it('wuzapi: wuzapi\'s type names; none for bare status changes and pairing codes', async () => {
    const types: Record<string, string | null> = {}
    for (const event of EVENTS) {
      const r = await PAYLOAD_FORMATS.wuzapi.render([event], config('wuzapi'), SESSION)
      if (!r) { types[event.type] = null; continue }
      const text = r.body.toString()
      expect(r.headers['x-hmac-signature']).toBe(createHmac('sha256', 'render-secret').update(text).digest('hex'))
      const fields = Object.fromEntries(new URLSearchParams(text))
      expect(fields.userID).toBe('s1')
      expect(fields.instanceName).toBe('Shop')
      types[event.type] = (JSON.parse(fields.jsonData) as { type: string }).type
    }
    expect(types).toEqual({
      status: null, qr: 'QR', pair_code: null, connected: 'Connected', disconnected: 'Disconnected', logged_out: 'LoggedOut',
      message: 'Message', message_sent: 'Message', message_ack: 'ReadReceipt', receipt: 'ReadReceipt', presence: 'Presence',
      chatstate: 'ChatPresence', group: 'GroupInfo'
    })
    const image = JSON.parse(new URLSearchParams((await PAYLOAD_FORMATS.wuzapi.render([EVENTS[7]], config('wuzapi'), SESSION))!.body.toString()).get('jsonData')!)
    expect(image.event.Info).toMatchObject({ IsFromMe: true, Sender: '15550000009@s.whatsapp.net', Type: 'media', MediaType: 'image' })
    expect(image.event.Message).toEqual({ imageMessage: { caption: 'caption' } })
    const group = JSON.parse(new URLSearchParams((await PAYLOAD_FORMATS.wuzapi.render([EVENTS[12]], config('wuzapi'), SESSION))!.body.toString()).get('jsonData')!)
    expect(group.event).toMatchObject({ JID: GROUP, Join: [CHAT], Leave: null })
  })

  it('wuzapi: Go\'s form and JSON encodings, byte for byte', () => {
    expect(goFormEncode({ b: 'x y~*', a: 'ä&=' })).toBe('a=%C3%A4%26%3D&b=x+y~%2A')
    expect(goJson({ t: '<a href="x">&</a>', u: '\u2028' })).toBe('{"t":"\\u003ca href=\\"x\\"\\u003e\\u0026\\u003c/a\\u003e","u":"\\u2028"}')
  })

  it('whatsgate: WhatsappID, type and data for every event', async () => {
    for (const event of EVENTS) {
      const body = JSON.parse((await PAYLOAD_FORMATS.whatsgate.render([event], config('whatsgate'), SESSION))!.body.toString())
      expect(body).toMatchObject({ WhatsappID: uniqueIdOf(SESSION.token), event_id: event.id, type: expect.any(String), data: expect.any(Object) })
    }
    const status = JSON.parse((await PAYLOAD_FORMATS.whatsgate.render([EVENTS[0]], config('whatsgate'), SESSION))!.body.toString())
    expect(status).toMatchObject({ type: 'status', data: { status: 'READY', status_name: 'Working' } })
  })

  it('whatsgate and witime announce a login or logout once, from the companion event the webhook receives', () => {
    const loggedIn = { ...base, id: 'l1', type: 'status', data: { status: 'logged_in', reason: null } } as WebhookEvent
    const loggedOut = { ...base, id: 'l2', type: 'status', data: { status: 'disconnected', reason: 'logged_out' } } as WebhookEvent
    const closed = { ...base, id: 'l3', type: 'status', data: { status: 'disconnected', reason: 'network' } } as WebhookEvent
    for (const format of ['whatsgate', 'witime'] as const) {
      const skip = PAYLOAD_FORMATS[format].skip!
      expect([loggedIn, loggedOut, closed].map(e => skip(e, config(format)))).toEqual([true, true, false])
      // a webhook that receives only status changes gets them all
      expect([loggedIn, loggedOut].map(e => skip(e, config(format, { events: ['status'] })))).toEqual([false, false])
      expect(skip(loggedIn, config(format, { events: ['status', 'connected'] }))).toBe(true)
    }
    expect(PAYLOAD_FORMATS.native.skip).toBeUndefined()
  })

  it('witime: one PostBack per event, or BULK and BULKGZ batches of up to 50', async () => {
    for (const event of EVENTS) {
      const body = JSON.parse((await PAYLOAD_FORMATS.witime.render([event], config('witime'), SESSION))!.body.toString())
      expect(body).toMatchObject({ WebID: 's1', eventId: event.id, event: expect.any(String) })
    }
    expect(PAYLOAD_FORMATS.witime.batchSize(config('witime'))).toBe(1)
    expect(PAYLOAD_FORMATS.witime.batchSize(config('witime', { batch: 'bulk' }))).toBe(50)
    const bulk = (await PAYLOAD_FORMATS.witime.render(EVENTS, config('witime', { batch: 'bulk' }), SESSION))!.body.toString()
    expect(bulk.startsWith('BULK,[')).toBe(true)
    const array = JSON.parse(bulk.slice(5)) as { eventId: string; event: string; status?: number }[]
    expect(array.map(e => e.eventId)).toEqual(EVENTS.map(e => e.id))
    expect(array[0]).toMatchObject({ event: 'status', status: 10, statusString: 'WhatsAppAuthenticated', connected: true })
    const gz = (await PAYLOAD_FORMATS.witime.render(EVENTS, config('witime', { batch: 'bulkgz' }), SESSION))!.body.toString()
    expect(gz.startsWith('BULKGZ,')).toBe(true)
    expect(JSON.parse(inflateSync(Buffer.from(gz.slice(7), 'base64')).toString())).toEqual(array)
  })
})

describe('webhook signing and retry rules', () => {
  it('signs "<timestamp>.<body>" with HMAC-SHA256 as sha256=<hex>', () => {
    const expected = createHmac('sha256', 'render-secret').update('1764620000.{"a":1}').digest('hex')
    expect(signPayload('render-secret', '1764620000', '{"a":1}')).toBe(`sha256=${expected}`)
    expect(verifyPayload('render-secret', '1764620000', '{"a":1}', `sha256=${expected}`)).toBe(true)
    expect(verifyPayload('render-secret', '1764620001', '{"a":1}', `sha256=${expected}`)).toBe(false)
  })

  it('retries no answer, 3xx, 5xx, 408 and 429; not the other 4xx', () => {
    for (const code of [null, 302, 500, 502, 503, 408, 429]) expect(retryable(code), String(code)).toBe(true)
    for (const code of [400, 401, 403, 404, 410, 413, 422]) expect(retryable(code), String(code)).toBe(false)
  })

  it('backs off exponentially with jitter between half and all of the ceiling, capped', () => {
    const options = { baseDelayMs: 1000, maxDelayMs: 60_000 }
    expect([1, 2, 3, 4].map(a => backoffDelay(a, options, () => 0))).toEqual([500, 1000, 2000, 4000])
    expect([1, 2, 3, 4].map(a => backoffDelay(a, options, () => 1))).toEqual([1000, 2000, 4000, 8000])
    expect(backoffDelay(20, options, () => 1)).toBe(60_000)
  })
})
