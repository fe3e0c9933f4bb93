/**
 * Crash safety of the headless runner: a linked session receives 500 messages from a virtual phone, the runner is
 * killed with SIGKILL part-way through (once about 150 are stored), and restarted on the same data folder;
 * afterwards every message is in the database exactly once.
 *
 * What makes this hold: a message is stored before Baileys sends its receipt (src/main/sessions/early-store.ts), so
 * whatever WhatsApp (here the simulator) counts as delivered is on disk and whatever is not is delivered again; and
 * the Signal key changes of its decryption are written in the same transaction (store/auth-state.ts), so a
 * redelivered message never finds its key used up without being stored. Without those two, this test lost the
 * message in flight at the kill in about every second run (once for each reason).
 */
import Database from 'better-sqlite3'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startSimulator, type Simulator } from '../../../src/sim/index.js'
import { tempDir } from '../../support/host-harness.js'
import {
  linkSessionInProcess, poll, readDb, type Runner, sessionRow, simulatorTarget, startRunner, stopRunner, testPort
} from '../../support/headless-runner.js'

const ACCOUNT = '15553330001'
const SENDER = '15553330002'
const TOTAL = 500
const KILL_AFTER = 150
const CHAT = `${SENDER}@s.whatsapp.net`

describe('headless runner: kill -9 in the middle of a burst', () => {
  let sim: Simulator
  let dir: { path: string; remove(): Promise<void> }
  const runners: Runner[] = []

  beforeAll(async () => {
    sim = await startSimulator()
    dir = await tempDir('wadock-crash-')
  })

  afterAll(async () => {
    for (const r of runners) await stopRunner(r, 'SIGKILL')
    await sim?.stop()
    await dir?.remove()
  })

  const COUNT_SQL = `SELECT COUNT(*) AS n, COUNT(DISTINCT message_id) AS distinctIds FROM messages WHERE session_id = 'crash'`
  const counts = () => readDb(dir.path, db => db.prepare(COUNT_SQL).get() as { n: number; distinctIds: number })

  it('stores all 500 messages exactly once across the crash and the restart', async () => {
    // the session is created and linked by an in-process host on the same folder: the runner has no API yet
    await linkSessionInProcess(sim, dir.path, 'crash', ACCOUNT)
    await sim.createAccount(SENDER, 'Burst')
    const target = await simulatorTarget(sim, dir.path)
    const args = ['--data', dir.path, '--port', String(testPort()), ...target.args]

    const first = startRunner(args, target.env)
    runners.push(first)
    await first.line
    await poll(() => sessionRow(dir.path, 'crash')?.status === 'logged_in', 'the restored session to log in')

    // The burst. After each send, a read-only look at the runner's database: SIGKILL once 150 are stored.
    const ids: string[] = []
    const reader = new Database(join(dir.path, 'wadock.db'), { readonly: true, fileMustExist: true })
    const stored = reader.prepare<[], { n: number }>(`SELECT COUNT(*) AS n FROM messages WHERE session_id = 'crash'`)
    let killedAt: { sent: number; stored: number } | undefined
    const killIfDue = () => {
      if (killedAt) return
      const n = stored.get()!.n
      if (n < KILL_AFTER) return
      first.child.kill('SIGKILL')
      killedAt = { sent: ids.length, stored: n }
    }
    try {
      for (let i = 0; i < TOTAL; i++) {
        ids.push((await sim.sendText(SENDER, ACCOUNT, `burst ${i}`)).id)
        killIfDue()
      }
      await poll(() => { killIfDue(); return killedAt }, `${KILL_AFTER} stored messages`, 60_000, 5)
    } finally {
      reader.close()
    }
    expect((await first.exited).signal).toBe('SIGKILL')
    const atKill = counts()
    expect(atKill.n).toBeGreaterThanOrEqual(KILL_AFTER)
    expect(atKill.n).toBeLessThan(TOTAL)

    const second = startRunner(args, target.env)
    runners.push(second)
    expect((await second.line).adminToken).toBeUndefined()
    try {
      await poll(() => counts().n >= TOTAL, `all ${TOTAL} messages`, 45_000, 50)
    } catch (err) {
      const have = new Set(readDb(dir.path, db => db.prepare(`SELECT message_id FROM messages WHERE session_id = 'crash'`).pluck().all() as string[]))
      const missing = ids.flatMap((id, i) => (have.has(id) ? [] : [`#${i} ${id}`]))
      throw new Error(`${(err as Error).message}: ${have.size} stored; killed after ${JSON.stringify(killedAt)} (${atKill.n} on disk); ` +
        `missing ${missing.slice(0, 10).join(', ')}`, { cause: err })
    }
    // a late duplicate would show up within this
    await new Promise(resolve => setTimeout(resolve, 300))
    expect(counts()).toEqual({ n: TOTAL, distinctIds: TOTAL })
    const rows = readDb(dir.path, db => db.prepare(`SELECT message_id AS id, chat_jid AS chat, text FROM messages WHERE session_id = 'crash'`).all() as { id: string; chat: string; text: string }[])
    expect(rows.map(m => m.id).sort()).toEqual([...ids].sort())
    const byId = new Map(rows.map(m => [m.id, m]))
    expect(ids.map(id => byId.get(id)?.text)).toEqual(ids.map((_, i) => `burst ${i}`))
    expect(new Set(rows.map(m => m.chat))).toEqual(new Set([CHAT]))

    const exit = await stopRunner(second)
    expect(exit, second.stderr.slice(-5).join('\n')).toEqual({ code: 0, signal: null })
    expect(sessionRow(dir.path, 'crash')?.was_running).toBe(1)
  }, 150_000)
})
