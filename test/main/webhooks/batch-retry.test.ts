/**
 * Batched delivery (Witi.me BULK) and retries: an event that joins a batch behind a head that has been failing
 * gets attempts of its own. It is not dead-lettered with the head on the head's last attempt.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startSimulator, type Simulator } from '../../../src/sim/index.js'
import { HostHarness, tempDir } from '../../support/host-harness.js'
import { Receiver, untilHost } from './receiver.js'

const PHONE = '15557200001'
const SENDER = '15557200009'

/** The message ids a `BULK,[…]` request carries. */
const idsOf = (text: string): string[] => (JSON.parse(text.slice('BULK,'.length)) as { id: string }[]).map(e => e.id)

describe('batched webhook retries', () => {
  let sim: Simulator
  let dir: { path: string; remove(): Promise<void> }
  let h: HostHarness
  let r: Receiver

  beforeAll(async () => {
    sim = await startSimulator()
    dir = await tempDir('wadock-batch-retry-')
    h = await HostHarness.start(sim, dir.path, { webhooks: { baseDelayMs: 20, maxDelayMs: 50, maxAttempts: 2, timeoutMs: 1_500 } })
    r = await Receiver.start()
    await sim.createAccount(SENDER, 'Sender')
    h.host.sessions.create({ id: 'bulk' })
    await h.linkByQr(sim, 'bulk', PHONE)
  }, 60_000)

  afterAll(async () => {
    await h?.stop()
    await r?.stop()
    await sim?.stop()
    await dir?.remove()
  })

  it('an event queued behind a failing head keeps its own attempts', async () => {
    const stored = () => h.host.store.messages.list({ sessionId: 'bulk', limit: 100 }).filter(m => !m.fromMe).map(m => m.messageId)
    // the receiver holds every request until the dispatcher gives up on it (a failed attempt)
    r.answer = () => 'hold'
    h.host.sessions.setWebhook('bulk', { url: r.url, events: ['message'], format: 'witime', batch: 'bulk' })
    const first = (await sim.sendText(SENDER, PHONE, 'head')).id
    await r.waitUntil(() => r.heldCount === 1, 'the head\'s first attempt in flight')
    const second = (await sim.sendText(SENDER, PHONE, 'behind')).id
    await untilHost(h.host, () => stored().includes(second), 'the second message stored')
    // the head's last attempt is in flight: from now on the receiver takes everything
    await r.waitUntil(() => r.heldCount === 2, 'the head\'s second attempt in flight')
    r.answer = () => 200
    await untilHost(h.host, () => h.host.store.webhooks.countPending('bulk') === 0, 'the queue settled', 20_000)

    const dead = h.host.webhooks.deadLetters('bulk').map(l => JSON.parse(l.body).data.id as string)
    expect(dead).toEqual([first])
    const delivered = r.requests.filter(q => q.status === 200).flatMap(q => idsOf(q.text))
    expect(delivered).toEqual([second])
  }, 60_000)
})
