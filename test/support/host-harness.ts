/** A WaDock host pointed at an in-process simulator, with a temp data folder and event waiting. */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pino from 'pino'
import type { HostEvent } from '../../src/shared/domain.js'
import { createHost, type Host, type HostOptions } from '../../src/main/host.js'
import type { Simulator } from '../../src/sim/index.js'

export async function tempDir(prefix = 'wadock-'): Promise<{ path: string; remove(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), prefix))
  return { path, remove: () => rm(path, { recursive: true, force: true }) }
}

export class HostHarness {
  readonly seen: HostEvent[] = []
  private waiters = new Set<() => void>()
  private unsubscribe: () => void

  private constructor(readonly host: Host) {
    this.unsubscribe = host.events.subscribe(event => {
      this.seen.push(event)
      for (const wake of [...this.waiters]) wake()
    })
  }

  static async start(sim: Simulator, dataDir: string, overrides: Partial<HostOptions> = {}): Promise<HostHarness> {
    const info = sim.info()
    const host = await createHost({
      dataDir,
      logger: pino({ level: process.env.WADOCK_TEST_LOG ?? 'silent' }),
      target: { kind: 'simulator', wsUrl: info.wsUrl, rootPublicKey: info.rootPublicKey, caPem: info.caPem },
      backoff: { baseMs: 50, maxMs: 500, replacedLimit: 3, replacedWindowMs: 60_000 },
      ...overrides
    })
    const harness = new HostHarness(host)
    await host.start()
    return harness
  }

  /** Resolves with the first event (already seen or future) that matches. */
  waitFor<T extends HostEvent['type']>(type: T, check: (e: Extract<HostEvent, { type: T }>) => boolean = () => true, timeoutMs = 15_000, since = 0): Promise<Extract<HostEvent, { type: T }>> {
    const find = () => this.seen.slice(since).find(e => e.type === type && check(e as Extract<HostEvent, { type: T }>)) as Extract<HostEvent, { type: T }> | undefined
    const hit = find()
    if (hit) return Promise.resolve(hit)
    return new Promise((resolve, reject) => {
      const wake = () => {
        const found = find()
        if (found) { clearTimeout(timer); this.waiters.delete(wake); resolve(found) }
      }
      const timer = setTimeout(() => { this.waiters.delete(wake); reject(new Error(`timed out waiting for ${type}`)) }, timeoutMs)
      this.waiters.add(wake)
    })
  }

  status(sessionId: string, status: string, reason?: string | null, timeoutMs = 15_000, since = 0) {
    return this.waitFor('status', e => e.sessionId === sessionId && e.status === status && (reason === undefined || e.reason === reason), timeoutMs, since)
  }

  /** Links `sessionId` by letting the virtual phone of `phone` scan its current QR. */
  async linkByQr(sim: Simulator, sessionId: string, phone: string, name?: string): Promise<void> {
    const since = this.seen.length
    const qr = await this.waitFor('qr', e => e.sessionId === sessionId)
    await sim.scanQr(phone, qr.qr, name)
    await this.status(sessionId, 'logged_in', undefined, 20_000, since)
  }

  async stop(): Promise<void> {
    this.unsubscribe()
    await this.host.stop()
  }
}
