/**
 * The dispatcher's lifecycle: stopping the host while a request is in flight aborts it without counting it as an
 * attempt, closes every connection to the receiver and leaves the events pending; the next start delivers them,
 * in order, the interrupted one with the same event id.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startSimulator, type Simulator } from '../../../src/sim/index.js'
import { readDb } from '../../support/headless-runner.js'
import { HostHarness, tempDir } from '../../support/host-harness.js'
import { nativeEvents, Receiver, untilDelivered, untilHost } from './receiver.js'

const PHONE = '15557300001'
const SENDER = '15557300009'

describe('webhook dispatcher lifecycle', () => {
  let sim: Simulator
  let dir: { path: string; remove(): Promise<void> }
  let receiver: Receiver
  const harnesses: HostHarness[] = []

  beforeAll(async () => {
    sim = await startSimulator()
    dir = await tempDir('wadock-hook-life-')
    receiver = await Receiver.start()
  })

  afterAll(async () => {
    for (const h of harnesses) await h.stop()
    await receiver?.stop()
    await sim?.stop()
    await dir?.remove()
  })

  it('stops with a request in flight: nothing open, nothing counted, all delivered after the restart', async () => {
    const first = await HostHarness.start(sim, dir.path)
    harnesses.push(first)
    first.host.sessions.create({ id: 'life', webhook: { url: receiver.url, events: ['message'] } })
    await first.linkByQr(sim, 'life', PHONE)
    await sim.createAccount(SENDER, 'Sender')
    let heldId: string | undefined
    receiver.answer = req => {
      heldId ??= req.headers['x-wadock-event-id'] as string
      return 'hold'
    }
    for (let i = 0; i < 3; i++) await sim.sendText(SENDER, PHONE, `kept ${i}`)
    await untilHost(first.host, () => first.host.store.messages.count('life') === 3, 'three messages stored')
    await receiver.waitUntil(() => receiver.heldCount === 1, 'the first request, held')
    expect(receiver.connections).toBeGreaterThan(0)

    await first.stop()
    // the host's agent is gone: the receiver sees its connections close
    await receiver.waitUntil(() => receiver.connections === 0, 'every connection closed')
    expect(first.host.store.db.open).toBe(false)
    expect(first.host.webhooks.stats().requestsInFlight).toBe(0)
    // the aborted request is no attempt: all three wait, untouched
    expect(readDb(dir.path, db => db.prepare(`SELECT attempts, state FROM webhook_outbox WHERE session_id = 'life' ORDER BY seq`).all()))
      .toEqual([0, 1, 2].map(() => ({ attempts: 0, state: 'pending' })))

    receiver.answer = () => 200
    const second = await HostHarness.start(sim, dir.path)
    harnesses.push(second)
    await untilDelivered(second.host)
    await receiver.waitUntil(() => nativeEvents(receiver.requests).length === 3, 'three events')
    const events = nativeEvents(receiver.requests)
    expect(events.map(e => e.data.text)).toEqual(['kept 0', 'kept 1', 'kept 2'])
    // the interrupted request and its redelivery are one event
    expect(heldId).toBe(events[0].id)
    expect(second.host.webhooks.deliveries('life').map(d => d.attempt)).toEqual([1, 1, 1])
  }, 60_000)
})
