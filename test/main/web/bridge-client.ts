/** A WebSocket client of the web bridge for tests: requests by id, events recorded, waits on what arrives. */
import type { WebSocket } from 'ws'
import type { BridgeEvent, BridgeServerMessage } from '../../../src/shared/bridge.js'

export /** A WebSocket client of the bridge that records what arrives and waits on it. */
class Client {
  readonly messages: BridgeServerMessage[] = []
  readonly closed: Promise<{ code: number; reason: string }>
  private waiters = new Set<() => void>()
  private nextId = 1

  constructor(readonly ws: WebSocket) {
    ws.on('message', data => {
      this.messages.push(JSON.parse(data.toString()) as BridgeServerMessage)
      for (const wake of [...this.waiters]) wake()
    })
    this.closed = new Promise(resolve => ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })))
  }

  private waitFor<T>(find: () => T | undefined, what: string, timeoutMs = 20_000): Promise<T> {
    const hit = find()
    if (hit !== undefined) return Promise.resolve(hit)
    return new Promise((resolve, reject) => {
      const wake = () => {
        const found = find()
        if (found === undefined) return
        clearTimeout(timer)
        this.waiters.delete(wake)
        resolve(found)
      }
      const timer = setTimeout(() => { this.waiters.delete(wake); reject(new Error(`timed out waiting for ${what}`)) }, timeoutMs)
      this.waiters.add(wake)
    })
  }

  async request(method: string, ...args: unknown[]): Promise<any> {
    const id = this.nextId++
    this.ws.send(JSON.stringify({ id, method, args }))
    const answer = await this.waitFor(() => this.messages.find(m => 'id' in m && m.id === id), `the answer to ${method}`)
    return (answer as { result: unknown }).result
  }

  event<T extends BridgeEvent['type']>(type: T, check: (e: Extract<BridgeEvent, { type: T }>) => boolean = () => true) {
    return this.waitFor(() => this.messages
      .map(m => ('event' in m ? m.event : undefined))
      .find(e => e?.type === type && check(e as Extract<BridgeEvent, { type: T }>)) as Extract<BridgeEvent, { type: T }> | undefined, `a ${type} event`)
  }
}
