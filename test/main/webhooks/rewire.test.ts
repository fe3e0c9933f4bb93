/**
 * A session whose webhook is removed while its head waits for a long retry, then set again: the new webhook's
 * events go out at once, not when the old retry's timer fires.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startSimulator, type Simulator } from '../../../src/sim/index.js'
import { HostHarness, tempDir } from '../../support/host-harness.js'
import { nativeEvents, Receiver, untilHost } from './receiver.js'

const PHONE = '15557300001'
const SENDER = '15557300009'

describe('a webhook set again after one that was failing', () => {
  let sim: Simulator
  let dir: { path: string; remove(): Promise<void> }
  let h: HostHarness
  const receivers: Receiver[] = []

  beforeAll(async () => {
    sim = await startSimulator()
    dir = await tempDir('wadock-rewire-')
    // the first retry waits five to ten minutes
    h = await HostHarness.start(sim, dir.path, { webhooks: { baseDelayMs: 600_000, maxDelayMs: 600_000, maxAttempts: 8 } })
    await sim.createAccount(SENDER, 'Sender')
    h.host.sessions.create({ id: 'rewire' })
    await h.linkByQr(sim, 'rewire', PHONE)
  }, 60_000)

  afterAll(async () => {
    await h?.stop()
    for (const r of receivers) await r.stop()
    await sim?.stop()
    await dir?.remove()
  })

  it('delivers the new webhook\'s events at once', async () => {
    const failing = await Receiver.start()
    const working = await Receiver.start()
    receivers.push(failing, working)
    failing.answer = () => 500
    h.host.sessions.setWebhook('rewire', { url: failing.url, events: ['message'] })
    await sim.sendText(SENDER, PHONE, 'to the failing one')
    await untilHost(h.host, () => h.host.webhooks.deliveries('rewire').some(d => d.outcome === 'retrying'), 'a failed attempt')

    h.host.sessions.setWebhook('rewire', null)
    h.host.sessions.setWebhook('rewire', { url: working.url, events: ['message'] })
    const { id } = await sim.sendText(SENDER, PHONE, 'to the working one')
    await working.waitUntil(requests => requests.length === 1, 'the new webhook\'s event', 10_000)
    expect(nativeEvents(working.requests).map(e => e.data.id)).toEqual([id])
    await untilHost(h.host, () => h.host.store.webhooks.countPending('rewire') === 0, 'the delivery recorded')
  }, 60_000)
})
