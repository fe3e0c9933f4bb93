/**
 * A real local HTTP webhook receiver for tests: records every request (headers, raw body), answers as told
 * (status, held answers for a slow receiver), and can go down (stop listening, connections cut) and come back up on
 * the same port.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import type { Host } from '../../../src/main/host.js'

export interface ReceivedRequest {
  headers: IncomingHttpHeaders
  body: Buffer
  text: string
  /** the answer's status */
  status: number
  at: number
}

export type Answer = number | 'hold'

export class Receiver {
  readonly requests: ReceivedRequest[] = []
  /** what to answer: a status, or 'hold' (kept open until release()) */
  answer: (req: ReceivedRequest) => Answer = () => 200
  /** the most requests it had open at once */
  maxOpen = 0
  private open = 0
  private held: (() => void)[] = []
  private readonly sockets = new Set<Socket>()
  private server: Server
  private waiters = new Set<() => void>()
  port = 0

  private constructor() {
    this.server = this.create()
  }

  static async start(): Promise<Receiver> {
    const r = new Receiver()
    await r.listen(0)
    return r
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/hook`
  }

  private create(): Server {
    const server = createServer((req: IncomingMessage, res: ServerResponse) => {
      const chunks: Buffer[] = []
      req.on('data', (c: Buffer) => chunks.push(c))
      req.on('end', () => {
        const body = Buffer.concat(chunks)
        const record: ReceivedRequest = { headers: req.headers, body, text: body.toString('utf8'), status: 0, at: Date.now() }
        const answer = this.answer(record)
        const reply = (status: number) => {
          record.status = status
          this.requests.push(record)
          this.open--
          res.writeHead(status, { 'content-type': 'text/plain' }).end('ok')
          for (const wake of [...this.waiters]) wake()
        }
        this.open++
        this.maxOpen = Math.max(this.maxOpen, this.open)
        if (answer === 'hold') {
          this.held.push(() => reply(200))
          for (const wake of [...this.waiters]) wake()
        } else reply(answer)
      })
    })
    server.on('connection', socket => {
      this.sockets.add(socket)
      socket.on('close', () => {
        this.sockets.delete(socket)
        for (const wake of [...this.waiters]) wake()
      })
    })
    return server
  }

  private listen(port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject)
      this.server.listen(port, '127.0.0.1', () => {
        this.server.off('error', reject)
        this.port = (this.server.address() as { port: number }).port
        resolve()
      })
    })
  }

  /** Answers every held request (200). */
  release(): void {
    const held = this.held
    this.held = []
    for (const reply of held) reply()
  }

  /** connections currently open to it */
  get connections(): number {
    return this.sockets.size
  }

  get heldCount(): number {
    return this.held.length
  }

  /** Stops listening and cuts every connection: requests now fail with ECONNREFUSED. */
  async down(): Promise<void> {
    this.held = []
    const closed = new Promise<void>(resolve => this.server.close(() => resolve()))
    for (const socket of this.sockets) socket.destroy()
    await closed
  }

  /** Listens again on the same port. */
  async up(): Promise<void> {
    this.server = this.create()
    await this.listen(this.port)
  }

  /** Resolves once `check` holds over the requests received (checked after every request and every held one). */
  waitUntil(check: (requests: ReceivedRequest[]) => boolean, what: string, timeoutMs = 20_000): Promise<void> {
    if (check(this.requests)) return Promise.resolve()
    return new Promise((resolve, reject) => {
      const wake = () => {
        if (!check(this.requests)) return
        clearTimeout(timer)
        this.waiters.delete(wake)
        resolve()
      }
      const timer = setTimeout(() => {
        this.waiters.delete(wake)
        reject(new Error(`timed out waiting for ${what} (${this.requests.length} requests received)`))
      }, timeoutMs)
      this.waiters.add(wake)
    })
  }

  async stop(): Promise<void> {
    this.release()
    await this.down()
  }
}

/** The native events of the requests received, in arrival order (successful answers only, or all). */
export function nativeEvents(requests: ReceivedRequest[], onlyAnswered = true): any[] {
  return requests.filter(r => !onlyAnswered || (r.status >= 200 && r.status < 300)).map(r => JSON.parse(r.text))
}

/** Resolves once `check` holds, looking again after every host event (a delivery is announced once it is recorded). */
export function untilHost(host: Host, check: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  if (check()) return Promise.resolve()
  return new Promise((resolve, reject) => {
    const unsubscribe = host.events.subscribe(() => {
      if (!check()) return
      clearTimeout(timer)
      unsubscribe()
      resolve()
    })
    const timer = setTimeout(() => {
      unsubscribe()
      reject(new Error(`timed out waiting for ${what}`))
    }, timeoutMs)
  })
}

/** Every event delivered: nothing pending in the outbox. */
export const untilDelivered = (host: Host, timeoutMs?: number) => untilHost(host, () => host.store.webhooks.countPending() === 0, 'an empty outbox', timeoutMs)
