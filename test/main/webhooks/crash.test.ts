/**
 * Crash safety of webhook delivery: a headless runner delivers the events of 500 incoming messages to a real
 * receiver, is killed with SIGKILL part-way through (once about 150 have arrived), and restarted on the same data
 * folder. Afterwards every message's event has arrived at least once, and a duplicate carries the same event id.
 *
 * What makes this hold: the event is written in the transaction that stores the message (before WhatsApp is told
 * it arrived), and an event leaves the outbox only after its receiver answered 2xx; the restarted dispatcher
 * resumes whatever is still there.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startSimulator, type Simulator } from '../../../src/sim/index.js'
import { tempDir } from '../../support/host-harness.js'
import { linkSessionInProcess, poll, readDb, type Runner, simulatorTarget, startRunner, stopRunner, testPort } from '../../support/headless-runner.js'
import { Receiver } from './receiver.js'

const ACCOUNT = '15557200001'
const SENDER = '15557200002'
const TOTAL = 500
const KILL_AFTER = 150

describe('webhooks: kill -9 with 500 events in flight', () => {
  let sim: Simulator
  let dir: { path: string; remove(): Promise<void> }
  let receiver: Receiver
  const runners: Runner[] = []

  beforeAll(async () => {
    sim = await startSimulator()
    dir = await tempDir('wadock-hook-crash-')
    receiver = await Receiver.start()
  })

  afterAll(async () => {
    for (const r of runners) await stopRunner(r, 'SIGKILL')
    await receiver?.stop()
    await sim?.stop()
    await dir?.remove()
  })

  /** message id → the event ids it arrived with */
  const arrivals = () => {
    const byMessage = new Map<string, Set<string>>()
    for (const r of receiver.requests) {
      const event = JSON.parse(r.text) as { id: string; type: string; data: { id: string } }
      if (event.type !== 'message') continue
      expect(r.headers['x-wadock-event-id']).toBe(event.id)
      byMessage.set(event.data.id, (byMessage.get(event.data.id) ?? new Set()).add(event.id))
    }
    return byMessage
  }

  it('delivers every event at least once across the crash and the restart; duplicates keep their event id', async () => {
    await linkSessionInProcess(sim, dir.path, 'crash', ACCOUNT, { webhook: { url: receiver.url, events: ['message'], secret: 'crash-test-secret' } })
    await sim.createAccount(SENDER, 'Burst')
    const target = await simulatorTarget(sim, dir.path)
    const args = ['--data', dir.path, '--port', String(testPort()), ...target.args]

    const first = startRunner(args, target.env)
    runners.push(first)
    await first.line
    let killedAt: number | undefined
    receiver.answer = () => {
      const received = receiver.requests.length
      if (killedAt === undefined && received >= KILL_AFTER) {
        first.child.kill('SIGKILL')
        killedAt = received
      }
      return 200
    }
    const ids: string[] = []
    for (let i = 0; i < TOTAL; i++) ids.push((await sim.sendText(SENDER, ACCOUNT, `burst ${i}`)).id)
    await poll(() => killedAt !== undefined, `${KILL_AFTER} deliveries`, 60_000, 5)
    expect((await first.exited).signal).toBe('SIGKILL')
    const beforeRestart = arrivals().size
    expect(beforeRestart).toBeLessThan(TOTAL)

    const second = startRunner(args, target.env)
    runners.push(second)
    await second.line
    await receiver.waitUntil(() => arrivals().size === TOTAL, `all ${TOTAL} message events`, 90_000)
    const byMessage = arrivals()
    expect([...byMessage.keys()].sort()).toEqual([...ids].sort())
    // at least once; a redelivery is the same event (same id), never a new one
    for (const [, eventIds] of byMessage) expect(eventIds.size).toBe(1)
    await poll(() => readDb(dir.path, db => (db.prepare(`SELECT COUNT(*) AS n FROM webhook_outbox`).get() as { n: number }).n === 0), 'an empty outbox')
    const exit = await stopRunner(second)
    expect(exit, second.stderr.slice(-5).join('\n')).toEqual({ code: 0, signal: null })
  }, 180_000)
})
