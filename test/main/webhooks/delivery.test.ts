/**
 * The dispatcher against a real local receiver, with real sessions and virtual phones: a receiver that is down
 * for a while gets everything in order per session once back; one answering 500 forever ends in the dead-letter
 * list and replay (native API) delivers it; 4xx are not retried; a slow receiver holds the dispatcher to one
 * request and one row per session; bad settings are refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApiApp } from '../../../src/main/api/app.js'
import { type ApiServer, startApiServer } from '../../../src/main/api/server.js'
import { startSimulator, type Simulator } from '../../../src/sim/index.js'
import { HostHarness, tempDir } from '../../support/host-harness.js'
import { ADMIN_TOKEN, call } from '../api/api-fixture.js'
import { nativeEvents, Receiver, untilDelivered, untilHost } from './receiver.js'

const PHONES = { order1: '15557100001', order2: '15557100002', dead: '15557100003', slow1: '15557100004', slow2: '15557100005' } as const
const SENDER = '15557100009'
const MAX_ATTEMPTS = 30

describe('webhook delivery', () => {
  let sim: Simulator
  let dir: { path: string; remove(): Promise<void> }
  let h: HostHarness
  let api: ApiServer
  const admin = (method: string, path: string, body?: unknown) => call(api.port, method, path, { token: ADMIN_TOKEN, body })
  const receivers: Receiver[] = []
  const receiver = async () => {
    const r = await Receiver.start()
    receivers.push(r)
    return r
  }
  const messagesOf = (id: string) => h.host.store.messages.list({ sessionId: id, limit: 10_000 }).filter(m => !m.fromMe).map(m => m.messageId)

  beforeAll(async () => {
    sim = await startSimulator()
    dir = await tempDir('wadock-delivery-')
    h = await HostHarness.start(sim, dir.path, { webhooks: { baseDelayMs: 20, maxDelayMs: 100, maxAttempts: MAX_ATTEMPTS, timeoutMs: 30_000 } })
    api = await startApiServer(createApiApp({ host: h.host, adminToken: () => ADMIN_TOKEN, validateResponses: true }), { host: '127.0.0.1', port: 0 })
    await sim.createAccount(SENDER, 'Sender')
    for (const id of Object.keys(PHONES)) h.host.sessions.create({ id })
    await Promise.all(Object.entries(PHONES).map(([id, phone]) => h.linkByQr(sim, id, phone)))
  }, 60_000)

  afterAll(async () => {
    await api?.close()
    await h?.stop()
    for (const r of receivers) await r.stop()
    await sim?.stop()
    await dir?.remove()
  })

  it('a receiver down for a while gets every event once back, in order per session', async () => {
    const r = await receiver()
    for (const id of ['order1', 'order2']) h.host.sessions.setWebhook(id, { url: r.url, events: ['message'] })
    await r.down()
    const sends: Promise<unknown>[] = []
    for (let i = 0; i < 30; i++) {
      sends.push(sim.sendText(SENDER, PHONES.order1, `one ${i}`))
      sends.push(sim.sendText(SENDER, PHONES.order2, `two ${i}`))
    }
    await Promise.all(sends)
    await untilHost(h.host, () => messagesOf('order1').length === 30 && messagesOf('order2').length === 30, 'all 60 stored')
    // attempts fail while it is down: they are logged as retrying, nothing is dead
    await untilHost(h.host, () => h.host.webhooks.deliveries('order1').some(d => d.outcome === 'retrying'), 'a failed attempt')
    expect(h.host.webhooks.deliveries('order1')[0]).toMatchObject({ ok: false, statusCode: null, outcome: 'retrying', error: expect.stringMatching(/ECONNREFUSED/) })
    await r.up()
    await untilHost(h.host, () => h.host.store.webhooks.countPending('order1') + h.host.store.webhooks.countPending('order2') === 0, 'both queues drained')
    for (const id of ['order1', 'order2']) {
      const got = nativeEvents(r.requests).filter(e => e.session_id === id).map(e => e.data.id)
      // every message exactly once (the receiver was down: no request reached it twice), in the order stored
      expect(got).toEqual(messagesOf(id))
      expect(h.host.webhooks.deadLetters(id)).toEqual([])
    }
  }, 60_000)

  it('a receiver answering 500 forever: the event ends in the dead-letter list; replay from the API delivers it', async () => {
    const r = await receiver()
    r.answer = () => 500
    h.host.sessions.setWebhook('dead', { url: r.url, events: ['message'], secret: 'dead-letter-secret' })
    const { id: messageId } = await sim.sendText(SENDER, PHONES.dead, 'doomed')
    await untilHost(h.host, () => h.host.webhooks.deadLetters('dead').length === 1, 'a dead letter')
    expect(r.requests.length).toBe(MAX_ATTEMPTS)
    const eventIds = new Set(r.requests.map(q => q.headers['x-wadock-event-id']))
    expect(eventIds.size).toBe(1)

    const letters = await admin('GET', '/api/v1/sessions/dead/webhook/dead-letters')
    expect(letters.status).toBe(200)
    expect(letters.body.total).toBe(1)
    const [letter] = letters.body.dead_letters
    expect(letter).toMatchObject({ event_type: 'message', attempts: MAX_ATTEMPTS, last_status_code: 500, last_error: 'HTTP 500', event: { type: 'message', session_id: 'dead', data: { id: messageId, text: 'doomed' } } })
    expect(letter.event_id).toBe([...eventIds][0])

    const log = await admin('GET', '/api/v1/sessions/dead/webhook/deliveries?limit=1000')
    expect(log.body.deliveries.map((d: { outcome: string }) => d.outcome)).toEqual(['dead', ...Array(MAX_ATTEMPTS - 1).fill('retrying')])
    expect(log.body.deliveries.map((d: { attempt: number }) => d.attempt)).toEqual(Array.from({ length: MAX_ATTEMPTS }, (_, i) => MAX_ATTEMPTS - i))
    expect(log.body.deliveries.every((d: { status_code: number; latency_ms: number }) => d.status_code === 500 && d.latency_ms >= 0)).toBe(true)

    const unknown = await admin('POST', '/api/v1/sessions/dead/webhook/dead-letters/replay', { event_id: 'no-such-event' })
    expect(unknown.status).toBe(404)
    r.answer = () => 200
    const replay = await admin('POST', '/api/v1/sessions/dead/webhook/dead-letters/replay', { event_id: letter.event_id })
    expect(replay.body).toEqual({ replayed: 1 })
    await untilDelivered(h.host)
    const delivered = r.requests.filter(q => q.status === 200)
    expect(delivered).toHaveLength(1)
    expect(delivered[0].headers['x-wadock-event-id']).toBe(letter.event_id)
    expect(JSON.parse(delivered[0].text)).toEqual(letter.event)
    expect((await admin('GET', '/api/v1/sessions/dead/webhook/dead-letters')).body).toEqual({ dead_letters: [], total: 0 })
    expect((await admin('POST', '/api/v1/sessions/dead/webhook/dead-letters/replay', {})).body).toEqual({ replayed: 0 })
  }, 60_000)

  it('4xx other than 408 and 429 is dead at once; 429 and 408 are retried', async () => {
    const r = await receiver()
    const answers = [429, 408, 200, 400]
    r.answer = () => answers.shift() ?? 200
    h.host.sessions.setWebhook('dead', { url: r.url, events: ['message'] })
    await sim.sendText(SENDER, PHONES.dead, 'retried twice')
    await sim.sendText(SENDER, PHONES.dead, 'refused')
    await untilHost(h.host, () => h.host.webhooks.deadLetters('dead').length === 1, 'the refused event dead')
    expect(r.requests.map(q => q.status)).toEqual([429, 408, 200, 400])
    expect(h.host.webhooks.deadLetters('dead')[0]).toMatchObject({ attempts: 1, lastStatusCode: 400 })
    expect(JSON.parse(h.host.webhooks.deadLetters('dead')[0].body).data.text).toBe('refused')
    expect(h.host.webhooks.replay('dead')).toBe(1)
    await untilDelivered(h.host)
  }, 30_000)

  it('a slow receiver: one request and one row per session in memory, however long the backlog', async () => {
    const r = await receiver()
    r.answer = () => 'hold'
    for (const id of ['slow1', 'slow2']) h.host.sessions.setWebhook(id, { url: r.url, events: ['message'] })
    const before = h.host.webhooks.stats()
    const sends: Promise<unknown>[] = []
    for (let i = 0; i < 100; i++) {
      sends.push(sim.sendText(SENDER, PHONES.slow1, `slow ${i}`))
      sends.push(sim.sendText(SENDER, PHONES.slow2, `slow ${i}`))
    }
    await Promise.all(sends)
    await untilHost(h.host, () => messagesOf('slow1').length === 100 && messagesOf('slow2').length === 100, 'all 200 stored')
    await r.waitUntil(() => r.heldCount === 2, 'one request from each session')
    expect(h.host.store.webhooks.countPending('slow1') + h.host.store.webhooks.countPending('slow2')).toBe(200)
    // answer one at a time: each answer lets exactly the next event of that session go
    for (let round = 0; round < 5; round++) {
      const seen = r.requests.length
      r.release()
      await r.waitUntil(() => r.heldCount === 2, 'the next two requests')
      expect(r.requests.length).toBe(seen + 2)
    }
    r.answer = () => 200
    r.release()
    await untilHost(h.host, () => h.host.store.webhooks.countPending('slow1') + h.host.store.webhooks.countPending('slow2') === 0, 'the backlog delivered')
    const stats = h.host.webhooks.stats()
    // whatever ran before this test, during it the dispatcher never held more than a request per session
    expect(r.maxOpen).toBeLessThanOrEqual(2)
    expect(Math.max(stats.maxRowsHeld, before.maxRowsHeld)).toBeLessThanOrEqual(2)
    for (const id of ['slow1', 'slow2']) expect(nativeEvents(r.requests).filter(e => e.session_id === id).map(e => e.data.id)).toEqual(messagesOf(id))
  }, 60_000)

  it('refuses bad settings with a clear error and changes nothing; an unreachable host is accepted and retried', async () => {
    const before = (await admin('GET', '/api/v1/sessions/order1/webhook')).body
    const ftp = await admin('PUT', '/api/v1/sessions/order1/webhook', { url: 'ftp://example.com/hook' })
    expect(ftp.status).toBe(400)
    expect(ftp.body.error).toMatchObject({ code: 'validation_failed', details: [expect.objectContaining({ path: 'url', message: expect.stringMatching(/http/) })] })
    const short = await admin('PUT', '/api/v1/sessions/order1/webhook', { url: 'http://127.0.0.1:9/hook', secret: 'short' })
    expect(short.status).toBe(400)
    expect(short.body.error.details).toEqual([expect.objectContaining({ path: 'secret', message: expect.stringMatching(/at least 8/) })])
    expect(() => h.host.sessions.setWebhook('order1', { url: 'javascript:alert(1)' })).toThrow(/invalid webhook/)
    expect((await admin('GET', '/api/v1/sessions/order1/webhook')).body).toEqual(before)

    const unreachable = await admin('PUT', '/api/v1/sessions/order2/webhook', { url: 'http://127.0.0.1:1/hook', events: ['message'] })
    expect(unreachable.status).toBe(200)
    await sim.sendText(SENDER, PHONES.order2, 'to nowhere')
    await untilHost(h.host, () => h.host.webhooks.deliveries('order2').some(d => d.outcome === 'retrying' && /ECONNREFUSED/.test(d.error ?? '')), 'a refused attempt')
    // removing the webhook drops what was waiting for it
    expect((await admin('DELETE', '/api/v1/sessions/order2/webhook')).body).toEqual({ webhook: null })
    expect(h.host.store.webhooks.countPending('order2')).toBe(0)
  }, 30_000)
})
