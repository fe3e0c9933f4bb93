/**
 * Real sessions against the simulator, one per payload format, each with its webhook pointed at a real local
 * receiver: the QR, the status changes, the link, a received message, a sent message and its acks, a disconnect and
 * an unlink arrive in each format's shape, signed as that format signs.
 */
import { uniqueIdOf } from '../../../src/main/api/dialects/whatsgate/unique-id.js'
import { createHmac } from 'node:crypto'
import { inflateSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { markRead, sendText } from '../../../src/main/operations/messages.js'
import { sendChatState, setPresence } from '../../../src/main/operations/presence.js'
import { webhookEventSchema } from '../../../src/main/webhooks/event-schema.js'
import { goFormEncode } from '../../../src/main/webhooks/formats/wuzapi.js'
import { verifyPayload } from '../../../src/main/webhooks/signing.js'
import { startSimulator, type Simulator } from '../../../src/sim/index.js'
import { HostHarness, tempDir } from '../../support/host-harness.js'
import { Receiver, type ReceivedRequest, untilDelivered, untilHost } from './receiver.js'

const SECRET = 'a-webhook-secret'
const SESSIONS = {
  nat: { phone: '15557000001', format: 'native' },
  wuz: { phone: '15557000002', format: 'wuzapi' },
  wg: { phone: '15557000003', format: 'whatsgate' },
  wt: { phone: '15557000004', format: 'witime' }
} as const
type Id = keyof typeof SESSIONS
const SENDER = '15557000009'

describe('webhook payload formats, end to end', () => {
  let sim: Simulator
  let dir: { path: string; remove(): Promise<void> }
  let h: HostHarness
  let receiver: Receiver
  const of = (id: Id) => receiver.requests.filter(r => r.headers['x-wadock-session'] === id)

  beforeAll(async () => {
    sim = await startSimulator()
    dir = await tempDir('wadock-hooks-')
    receiver = await Receiver.start()
    h = await HostHarness.start(sim, dir.path, { webhooks: { baseDelayMs: 20, maxDelayMs: 200 } })
    await sim.createAccount(SENDER, 'Sender')
    for (const [id, { format }] of Object.entries(SESSIONS)) {
      h.host.sessions.create({ id, name: `${id} name`, webhook: { url: receiver.url, secret: SECRET, format, ...(format === 'witime' ? { batch: 'bulkgz' as const } : {}) } })
    }
    await Promise.all(Object.entries(SESSIONS).map(([id, { phone }]) => h.linkByQr(sim, id, phone, `Name ${id}`)))
    const ids = Object.keys(SESSIONS) as Id[]
    for (const [i, id] of ids.entries()) {
      const { phone } = SESSIONS[id]
      await sim.sendText(SENDER, phone, `hello <${id}> & more`)
      await h.waitFor('message', e => e.sessionId === id && !e.fromMe)
      // to the next session's account, which reads it: the read receipt is this session's ack
      const next = ids[(i + 1) % ids.length]
      const sent = await sendText(h.host, id, { to: SESSIONS[next].phone, text: `reply from ${id}` })
      await h.waitFor('message', e => e.sessionId === next && e.id === sent.id)
      await markRead(h.host, next, { chat: `${phone}@s.whatsapp.net`, messageIds: [sent.id] })
      await h.waitFor('message_ack', e => e.sessionId === id && e.id === sent.id && e.status >= 4)
    }
    // chat state and presence between sessions: nat and wuz each see the other one typing and coming online
    const jid = (id: Id) => `${SESSIONS[id].phone}@s.whatsapp.net`
    await h.host.sessions.get('nat').socket!.presenceSubscribe(jid('wuz'))
    await h.host.sessions.get('wuz').socket!.presenceSubscribe(jid('wg'))
    await sendChatState(h.host, 'wuz', { chat: SESSIONS.nat.phone, state: 'composing' })
    await sendChatState(h.host, 'wg', { chat: SESSIONS.wuz.phone, state: 'recording' })
    await setPresence(h.host, 'wuz', { presence: 'available' })
    await setPresence(h.host, 'wg', { presence: 'available' })
    const hasType = (id: Id, test: (text: string) => boolean) => () => of(id).some(r => test(r.text))
    await untilHost(h.host, hasType('nat', t => t.includes('"type":"chatstate"')), 'nat\'s chatstate event')
    await untilHost(h.host, hasType('nat', t => t.includes('"type":"presence"') && t.includes('"presence":"available"')), 'nat\'s presence event')
    await untilHost(h.host, hasType('wuz', t => t.includes('ChatPresence')), 'wuz\'s ChatPresence')
    await untilHost(h.host, hasType('wuz', t => t.includes('%22Presence%22') && t.includes('online')), 'wuz\'s Presence')
    await h.host.sessions.disconnect('wuz')
    await h.host.sessions.disconnect('wg')
    sim.unlink(SESSIONS.nat.phone)
    await h.status('nat', 'disconnected', 'logged_out')
    await h.status('wt', 'logged_in')
    // everything queued has gone out once nothing is pending
    await untilDelivered(h.host)
  }, 90_000)

  afterAll(async () => {
    await h?.stop()
    await receiver?.stop()
    await sim?.stop()
    await dir?.remove()
  })

  it('native: every event validates against the WebhookEvent schema, in order, with a valid signature', () => {
    const requests = of('nat')
    expect(requests.length).toBeGreaterThan(5)
    const events = requests.map(r => {
      expect(r.headers['content-type']).toBe('application/json')
      const ts = r.headers['x-wadock-timestamp'] as string
      expect(Math.abs(Number(ts) - r.at / 1000)).toBeLessThan(30)
      expect(verifyPayload(SECRET, ts, r.body, r.headers['x-wadock-signature'] as string)).toBe(true)
      expect(verifyPayload('another-secret', ts, r.body, r.headers['x-wadock-signature'] as string)).toBe(false)
      const event = webhookEventSchema.parse(JSON.parse(r.text))
      expect(r.headers['x-wadock-event-id']).toBe(event.id)
      expect(r.headers['x-wadock-event-type']).toBe(event.type)
      expect(event.session_id).toBe('nat')
      return event
    })
    const types = new Set(events.map(e => e.type))
    for (const t of ['qr', 'status', 'connected', 'message', 'message_sent', 'message_ack', 'chatstate', 'presence', 'logged_out']) expect(types, t).toContain(t)
    expect(events.find(e => e.type === 'chatstate')!.data).toEqual({ chat: `${SESSIONS.wuz.phone}@s.whatsapp.net`, jid: `${SESSIONS.wuz.phone}@s.whatsapp.net`, state: 'composing' })
    expect(events.filter(e => e.type === 'presence').map(e => e.data)).toContainEqual(expect.objectContaining({ jid: `${SESSIONS.wuz.phone}@s.whatsapp.net`, presence: 'available' }))
    expect(new Set(events.map(e => e.id)).size).toBe(events.length)
    const timestamps = events.map(e => e.timestamp)
    expect(timestamps).toEqual([...timestamps].sort((a, b) => a - b))
    const received = events.find(e => e.type === 'message')!
    expect(received.data).toMatchObject({ chat: `${SENDER}@s.whatsapp.net`, from_me: false, text: 'hello <nat> & more', push_name: 'Sender' })
    const sent = events.find(e => e.type === 'message_sent')!
    expect(sent.data).toMatchObject({ chat: `${SESSIONS.wuz.phone}@s.whatsapp.net`, from_me: true, text: 'reply from nat' })
    const acks = events.filter(e => e.type === 'message_ack' && (e.data as { id: string }).id === (sent.data as { id: string }).id).map(e => (e.data as { status: string }).status)
    expect(acks).toContain('read')
    expect(events.filter(e => e.type === 'status').map(e => (e.data as { status: string }).status)).toEqual(
      expect.arrayContaining(['connecting', 'waiting_for_qr', 'logged_in', 'disconnected']))
    expect(events.at(-1)!.type === 'logged_out' || events.some(e => e.type === 'logged_out')).toBe(true)
  })

  it('wuzapi: form-encoded jsonData/userID/instanceName as Go encodes them, x-hmac-signature over the body', () => {
    const requests = of('wuz')
    expect(requests.length).toBeGreaterThan(3)
    const posts = requests.map((r: ReceivedRequest) => {
      expect(r.headers['content-type']).toBe('application/x-www-form-urlencoded')
      expect(r.headers['x-hmac-signature']).toBe(createHmac('sha256', SECRET).update(r.body).digest('hex'))
      const fields = Object.fromEntries(new URLSearchParams(r.text))
      expect(Object.keys(fields).sort()).toEqual(['instanceName', 'jsonData', 'userID'])
      expect(goFormEncode(fields)).toBe(r.text)
      expect(fields).toMatchObject({ userID: 'wuz', instanceName: 'wuz name' })
      return JSON.parse(fields.jsonData) as { type: string; event: any; state?: string; qrCodeBase64?: string }
    })
    const types = posts.map(p => p.type)
    for (const t of ['QR', 'Connected', 'Message', 'ReadReceipt', 'ChatPresence', 'Presence', 'Disconnected']) expect(types, t).toContain(t)
    expect(posts.find(p => p.type === 'ChatPresence')!.event).toMatchObject({ Chat: `${SESSIONS.wg.phone}@s.whatsapp.net`, State: 'composing', Media: 'audio' })
    expect(posts.filter(p => p.type === 'Presence')).toContainEqual(expect.objectContaining({ state: 'online', event: expect.objectContaining({ From: `${SESSIONS.wg.phone}@s.whatsapp.net`, Unavailable: false }) }))
    expect(types).not.toContain('status')
    const qr = posts.find(p => p.type === 'QR')!
    expect(qr.event).toBe('code')
    expect(qr.qrCodeBase64).toMatch(/^data:image\/png;base64,/)
    const incoming = posts.find(p => p.type === 'Message' && p.event.Info.Chat === `${SENDER}@s.whatsapp.net`)!
    expect(incoming.event.Info).toMatchObject({ Chat: `${SENDER}@s.whatsapp.net`, IsGroup: false, PushName: 'Sender', Type: 'text' })
    expect(incoming.event.Message).toEqual({ conversation: 'hello <wuz> & more' })
    // Go's encoding/json escapes HTML characters; the signature covers exactly those bytes
    const raw = new URLSearchParams(requests[posts.indexOf(incoming)].text).get('jsonData')!
    expect(raw).toContain('hello \\u003cwuz\\u003e \\u0026 more')
    expect(Object.keys(JSON.parse(raw))).toEqual([...Object.keys(JSON.parse(raw))].sort())
    // the delivery receipt comes as a ReadReceipt of its own unless Baileys merged it into the read one: the read
    // one is there either way, and after it nothing
    const receipts = posts.filter(p => p.type === 'ReadReceipt')
    expect(receipts.map(r => r.state)).toEqual(expect.arrayContaining(['Read']))
    expect(receipts.at(-1)!.state).toBe('Read')
    expect(receipts.every(r => r.state === 'Read' || r.state === 'Delivered')).toBe(true)
    expect(receipts.at(-1)!.event.MessageIDs).toHaveLength(1)
  })

  it('whatsgate: JSON callbacks with WhatsappID, WhatsGate\'s status names, messages and acks', () => {
    const bodies = of('wg').map(r => {
      expect(r.headers['content-type']).toBe('application/json')
      return JSON.parse(r.text) as { WhatsappID: string; type: string; data: any }
    })
    // the unique_id the WhatsGate dialect hands out for this session
    expect(new Set(bodies.map(b => b.WhatsappID))).toEqual(new Set([uniqueIdOf(h.host.store.sessions.get('wg')!.token)]))
    expect(bodies.filter(b => b.type === 'status').map(b => b.data.status)).toEqual(expect.arrayContaining(['PENDING', 'AUTH', 'READY']))
    // one login, one READY callback, with the number
    const ready = bodies.filter(b => b.type === 'status' && b.data.status === 'READY')
    expect(ready).toHaveLength(1)
    expect(ready[0].data.wid).toBe(`${SESSIONS.wg.phone}@c.us`)
    expect(bodies.find(b => b.type === 'message' && b.data.chat === `${SENDER}@s.whatsapp.net`)!.data).toMatchObject({ number: SENDER, text: 'hello <wg> & more', pushname: 'Sender' })
    expect(bodies.some(b => b.type === 'ack' && b.data.ack === 3 && b.data.status === 'read')).toBe(true)
  })

  it('witime BULKGZ: batches as "BULKGZ," + base64(zlib(JSON array)) holding Witi.me PostBack events', () => {
    const requests = of('wt')
    const events = requests.flatMap(r => {
      expect(r.text.startsWith('BULKGZ,')).toBe(true)
      const array = JSON.parse(inflateSync(Buffer.from(r.text.slice('BULKGZ,'.length), 'base64')).toString('utf8')) as any[]
      expect(r.headers['x-wadock-event-id']).toBe(array.map(e => e.eventId).join(','))
      expect(verifyPayload(SECRET, r.headers['x-wadock-timestamp'] as string, r.body, r.headers['x-wadock-signature'] as string)).toBe(true)
      return array
    })
    expect(events.some(e => e.event === 'status' && e.status === 10 && e.statusString === 'WhatsAppAuthenticated')).toBe(true)
    expect(events.some(e => e.event === 'qrcode' && typeof e.qr === 'string')).toBe(true)
    expect(events.find(e => e.event === 'message' && e.chat === `${SENDER}@s.whatsapp.net`)).toMatchObject({ WebID: 'wt', body: 'hello <wt> & more', pushName: 'Sender' })
    expect(events.some(e => e.event === 'ack' && e.ack === 3)).toBe(true)
  })

  it('records every attempt in the delivery log and announces it to the UI', () => {
    const log = h.host.webhooks.deliveries('nat', 1000)
    expect(log.length).toBe(of('nat').length)
    expect(log.every(d => d.ok && d.outcome === 'delivered' && d.statusCode === 200 && d.attempt === 1)).toBe(true)
    const announced = h.seen.filter(e => e.type === 'webhook_delivery' && e.sessionId === 'nat')
    expect(announced.length).toBe(log.length)
  })
})
