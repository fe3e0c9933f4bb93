/**
 * GET /api/v1/events: server-sent events of the host's events, filtered by session and type; a session token sees
 * only its own session; heartbeats; the subscription goes away with the client.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { eventStreamSettings } from '../../../src/main/api/v1/events.js'
import { startSimulator, type Simulator } from '../../../src/sim/index.js'
import { ADMIN_TOKEN, expectError } from './api-fixture.js'
import { type LinkedApi, openSse, type SseStream, startLinkedApi } from './linked-fixture.js'

const PHONE = { A: '15550015001', B: '15550015002', P: '15550015009' } as const
const pn = (phone: string) => `${phone}@s.whatsapp.net`

describe('the event stream', () => {
  let sim: Simulator
  let api: LinkedApi
  /** the bus's listeners with no stream open */
  let idle = 0
  const open: SseStream[] = []
  const sse = async (path: string, token = ADMIN_TOKEN) => {
    const stream = await openSse(api.server.port, path, token)
    open.push(stream)
    return stream
  }
  /** listeners on the host's event bus */
  const listeners = () => (api.harness.host.events as unknown as { emitter: { listenerCount(e: string): number } }).emitter.listenerCount('event')
  const until = async (check: () => boolean) => { for (let i = 0; i < 200 && !check(); i++) await new Promise(r => setTimeout(r, 25)); expect(check()).toBe(true) }

  beforeAll(async () => {
    sim = await startSimulator()
    api = await startLinkedApi(sim, { alice: { phone: PHONE.A, name: 'Alice' }, bob: { phone: PHONE.B, name: 'Bob' } })
    await sim.createAccount(PHONE.P, 'Pat')
    idle = listeners()
  })
  afterEach(async () => {
    for (const s of open.splice(0)) s.close()
    await until(() => listeners() === idle)
  })
  afterAll(async () => {
    await api?.stop()
    await sim?.stop()
  })

  it('delivers a message event when a virtual phone sends, in snake_case, filtered by session and type', async () => {
    const stream = await sse('/api/v1/events?session=alice&type=message,message_ack')
    expect(stream.status).toBe(200)
    expect(stream.headers['content-type']).toBe('text/event-stream; charset=utf-8')
    const { id } = await sim.sendText(PHONE.P, PHONE.A, 'hello over SSE')
    await sim.sendText(PHONE.P, PHONE.B, 'not for alice\'s stream')
    const event = await stream.next(e => e.event === 'message' && JSON.parse(e.data!).id === id)
    expect(event.id).toMatch(/^\d+$/)
    expect(JSON.parse(event.data!)).toMatchObject({
      type: 'message', session_id: 'alice', chat: pn(PHONE.P), id, from_me: false, text: 'hello over SSE', sender: pn(PHONE.P),
      message_type: expect.any(String), timestamp: expect.any(Number), at: expect.any(Number)
    })
    // the stream's ids count up; only alice's messages and acks came through
    await api.admin('POST', '/api/v1/sessions/alice/messages/text', { body: { to: PHONE.P, text: 'and back' } })
    const back = JSON.parse((await stream.next(e => e.event === 'message' && JSON.parse(e.data!).from_me === true)).data!) as { id: string }
    // the phone's delivery receipt, its status named as GET …/messages names it
    const ack = await stream.next(e => e.event === 'message_ack' && JSON.parse(e.data!).id === back.id)
    expect(JSON.parse(ack.data!)).toEqual({ type: 'message_ack', session_id: 'alice', chat: pn(PHONE.P), id: back.id, status: 'delivery_ack', error: null, at: expect.any(Number) })
    for (const e of stream.events) {
      expect(['message', 'message_ack']).toContain(e.event)
      expect(JSON.parse(e.data!).session_id).toBe('alice')
    }
    expect(stream.events.map(e => Number(e.id))).toEqual(stream.events.map((_, i) => i + 1))
  })

  it('gives a session token only its own events; the admin every session\'s, repeatable filters', async () => {
    const own = await sse('/api/v1/events', api.tokens.bob)
    const both = await sse('/api/v1/events?session=alice&session=bob&type=message')
    const toBob = await sim.sendText(PHONE.P, PHONE.B, 'for bob')
    const toAlice = await sim.sendText(PHONE.P, PHONE.A, 'for alice')
    await both.next(e => JSON.parse(e.data!).id === toBob.id)
    await both.next(e => JSON.parse(e.data!).id === toAlice.id)
    await own.next(e => JSON.parse(e.data!).id === toBob.id)
    await api.harness.waitFor('message', e => e.id === toAlice.id)
    await new Promise(r => setTimeout(r, 100))
    expect(own.events.every(e => JSON.parse(e.data!).session_id === 'bob')).toBe(true)
  })

  it('refuses another session\'s events (403), unknown sessions (404), bad filters (400) and no token (401)', async () => {
    const baseline = listeners()
    expect(baseline).toBe(idle)
    const refused = await sse('/api/v1/events?session=alice', api.tokens.bob)
    expect(refused.status).toBe(403)
    expect(refused.body).toEqual({ error: { code: 'forbidden', message: 'a session token reaches only its own session' } })
    const mixed = await sse('/api/v1/events?session=bob,alice', api.tokens.bob)
    expect(mixed.status).toBe(403)
    const ghost = await sse('/api/v1/events?session=ghost')
    expect(ghost.status).toBe(404)
    expect(ghost.body).toEqual({ error: { code: 'not_found', message: 'session ghost not found' } })
    const badType = await sse('/api/v1/events?type=message,nope')
    expect(badType.status).toBe(400)
    expect(badType.body.error.details).toEqual([{ path: 'type.1', message: expect.any(String) }])
    expectError(await api.call('GET', '/api/v1/events'), 401, { code: 'unauthorized', message: 'missing bearer token' })
    expect(listeners()).toBe(baseline)
  })

  it('ends a stream whose token was rotated, before it sends another event', async () => {
    const created = await api.admin('POST', '/api/v1/sessions', { body: { id: 'rotating' } })
    const stream = await sse('/api/v1/events?type=status', created.body.token)
    await api.admin('POST', '/api/v1/sessions/rotating/disconnect')
    await stream.next(e => e.event === 'status' && JSON.parse(e.data!).status === 'disconnected')
    const seen = stream.events.length
    await api.admin('POST', '/api/v1/sessions/rotating/token/rotate')
    // a status change the old token may no longer see
    await api.admin('POST', '/api/v1/sessions/rotating/connect')
    await stream.ended
    expect(stream.events.length).toBe(seen)
    await api.admin('DELETE', '/api/v1/sessions/rotating')
  })

  it('sends heartbeats, and removes the subscription when the client goes away', async () => {
    const baseline = listeners()
    const saved = eventStreamSettings.heartbeatMs
    eventStreamSettings.heartbeatMs = 50
    try {
      const streams = [await sse('/api/v1/events'), await sse('/api/v1/events', api.tokens.alice)]
      await until(() => listeners() === baseline + 2)
      await streams[0].comment(/^heartbeat$/, 2000)
      expect(streams[0].comments[0]).toBe('connected')
      for (const s of streams) s.close()
      await until(() => listeners() === baseline)
    } finally {
      eventStreamSettings.heartbeatMs = saved
    }
  })
})
