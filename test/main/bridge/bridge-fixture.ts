/** A bridge over a real host, with its events collected and a way to wait on them. */
import type { BridgeEvent } from '../../../src/shared/bridge.js'
import type { Bridge } from '../../../src/main/bridge/handlers.js'

export class EventLog {
  readonly events: BridgeEvent[] = []
  private readonly waiters = new Set<() => void>()

  push = (event: BridgeEvent): void => {
    this.events.push(event)
    for (const wake of [...this.waiters]) wake()
  }

  /** The first collected event (past or future) of `type` that passes `check`. */
  waitFor<T extends BridgeEvent['type']>(type: T, check: (e: Extract<BridgeEvent, { type: T }>) => boolean = () => true, timeoutMs = 20_000): Promise<Extract<BridgeEvent, { type: T }>> {
    const find = () => this.events.find(e => e.type === type && check(e as Extract<BridgeEvent, { type: T }>)) as Extract<BridgeEvent, { type: T }> | undefined
    const hit = find()
    if (hit) return Promise.resolve(hit)
    return new Promise((resolve, reject) => {
      const wake = () => {
        const found = find()
        if (!found) return
        clearTimeout(timer)
        this.waiters.delete(wake)
        resolve(found)
      }
      const timer = setTimeout(() => {
        this.waiters.delete(wake)
        reject(new Error(`timed out waiting for a ${type} event`))
      }, timeoutMs)
      this.waiters.add(wake)
    })
  }
}

/** Calls a method and returns its value, failing the test with the bridge's error if it has one. */
export async function ok<T = any>(bridge: Bridge, method: string, ...args: unknown[]): Promise<T> {
  const result = await bridge.call(method, args)
  if (!result.ok) throw new Error(`${method} failed: ${result.error.name}: ${result.error.message}`)
  return result.value as T
}
