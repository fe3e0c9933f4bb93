/**
 * The bridge over headless mode's WebSocket (`/app/bridge`): the same `WaDockBridge` as the desktop app's preload,
 * with request ids, a pending map, and reconnects with backoff. Calls made while the socket is down wait for the
 * next connection; an event listener stays registered across reconnects until it is removed.
 */
import {
  type BridgeEvent, type BridgeMethod, type BridgeRequest, type BridgeServerMessage, BridgeError, BRIDGE_METHODS,
  type WaDockBridge, unwrapBridgeResult, WEB_BRIDGE_PATH, WEB_BRIDGE_PROTOCOL
} from '../../../shared/bridge.js'

export type ConnectionState =
  | { kind: 'connecting'; attempt: number }
  | { kind: 'open' }
  /** the server refused this token: at the first connection (wrong token), or later because it was rotated */
  | { kind: 'refused'; rotated: boolean }
  | { kind: 'closed' }

/** The close code of a connection whose admin token was rotated (src/main/web): reconnecting with it is pointless. */
export const TOKEN_ROTATED = 4001

interface Pending {
  method: BridgeMethod
  resolve(value: unknown): void
  reject(error: Error): void
}

export interface WebBridgeOptions {
  url: string
  token: string
  /** the WebSocket constructor (the browser's by default) */
  WebSocketImpl?: typeof WebSocket
  /** reconnect delays: `min(maxDelayMs, minDelayMs * 2^attempt)` */
  minDelayMs?: number
  maxDelayMs?: number
  /**
   * Whether the server answers at all (default: `GET /health` on the page's origin). A reconnect refused by a server
   * that is up means the token was rotated meanwhile (elsewhere), which retrying cannot mend.
   */
  isServerUp?: () => Promise<boolean>
}

const healthAnswers = async (): Promise<boolean> => {
  try {
    return (await fetch('/health', { cache: 'no-store' })).ok
  } catch {
    return false
  }
}

export function webBridgeUrl(location: Pick<Location, 'protocol' | 'host'>): string {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${WEB_BRIDGE_PATH}`
}

export class WebBridgeClient {
  readonly bridge: WaDockBridge
  private socket: WebSocket | null = null
  private nextId = 1
  private readonly pending = new Map<number, Pending>()
  private readonly queue: BridgeRequest[] = []
  private readonly eventListeners = new Set<(event: BridgeEvent) => void>()
  private readonly stateListeners = new Set<(state: ConnectionState) => void>()
  private state: ConnectionState = { kind: 'connecting', attempt: 0 }
  private everOpened = false
  private attempt = 0
  private retryTimer: ReturnType<typeof setTimeout> | null = null
  private closed = false

  constructor(private readonly options: WebBridgeOptions) {
    const bridge: Record<string, unknown> = {}
    for (const method of BRIDGE_METHODS) bridge[method] = (...args: unknown[]) => this.call(method, args)
    bridge.onEvent = (listener: (event: BridgeEvent) => void) => {
      this.eventListeners.add(listener)
      return () => { this.eventListeners.delete(listener) }
    }
    this.bridge = bridge as unknown as WaDockBridge
    this.open()
  }

  get connection(): ConnectionState { return this.state }

  /** Follows the connection's state; returns the unsubscribe. */
  onConnection(listener: (state: ConnectionState) => void): () => void {
    this.stateListeners.add(listener)
    return () => { this.stateListeners.delete(listener) }
  }

  /** Closes the socket for good: pending and queued calls fail, no reconnect follows. */
  close(): void {
    this.closed = true
    if (this.retryTimer) clearTimeout(this.retryTimer)
    this.retryTimer = null
    this.socket?.close()
    this.socket = null
    this.failAll(new Error('the connection to WaDock was closed'))
    this.setState({ kind: 'closed' })
    this.eventListeners.clear()
    this.stateListeners.clear()
  }

  private call(method: BridgeMethod, args: unknown[]): Promise<unknown> {
    if (this.closed) return Promise.reject(new Error('the connection to WaDock was closed'))
    if (this.state.kind === 'refused') return Promise.reject(refusedError())
    const request: BridgeRequest = { id: this.nextId++, method, args: trimUndefined(args) }
    return new Promise((resolve, reject) => {
      this.pending.set(request.id, { method, resolve, reject })
      if (this.socket?.readyState === 1) this.socket.send(JSON.stringify(request))
      else this.queue.push(request)
    })
  }

  private open(): void {
    const Impl = this.options.WebSocketImpl ?? WebSocket
    const socket = new Impl(this.options.url, [WEB_BRIDGE_PROTOCOL, `token.${this.options.token}`])
    this.socket = socket
    let opened = false
    socket.onopen = () => {
      opened = true
      this.everOpened = true
      this.attempt = 0
      this.setState({ kind: 'open' })
      for (const request of this.queue.splice(0)) socket.send(JSON.stringify(request))
    }
    socket.onmessage = (message: MessageEvent) => { this.receive(message.data) }
    // a close always follows an error, and decides what happens next
    socket.onerror = () => undefined
    socket.onclose = (close: CloseEvent) => {
      if (this.socket !== socket) return
      this.socket = null
      // Calls already sent are lost with the socket; queued ones wait for the next.
      const sent = [...this.pending.entries()].filter(([id]) => !this.queue.some(q => q.id === id))
      for (const [id, p] of sent) {
        this.pending.delete(id)
        p.reject(new Error(`the connection to WaDock was lost during ${p.method}`))
      }
      if (this.closed) return
      const rotated = close.code === TOKEN_ROTATED
      if (rotated || (!opened && !this.everOpened)) {
        // A socket that never opened with this token is refused by the server (401/403), or nothing listens.
        this.setState({ kind: 'refused', rotated })
        this.failAll(refusedError())
        return
      }
      if (!opened) {
        // a reconnect that did not open: the server is down, or it no longer takes this token
        void (this.options.isServerUp ?? healthAnswers)().then(up => {
          if (this.closed || this.socket || this.retryTimer) return
          if (up) {
            this.setState({ kind: 'refused', rotated: true })
            this.failAll(refusedError())
          } else {
            this.scheduleReconnect()
          }
        })
        return
      }
      this.scheduleReconnect()
    }
  }

  private scheduleReconnect(): void {
    const min = this.options.minDelayMs ?? 250
    const max = this.options.maxDelayMs ?? 10_000
    const delay = Math.min(max, min * 2 ** this.attempt)
    this.attempt++
    this.setState({ kind: 'connecting', attempt: this.attempt })
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null
      if (!this.closed) this.open()
    }, delay)
  }

  private receive(data: unknown): void {
    if (typeof data !== 'string') return
    let message: BridgeServerMessage
    try {
      message = JSON.parse(data) as BridgeServerMessage
    } catch {
      return
    }
    if ('event' in message) {
      for (const listener of [...this.eventListeners]) listener(message.event)
      return
    }
    const pending = this.pending.get(message.id)
    if (!pending) return
    this.pending.delete(message.id)
    try {
      pending.resolve(unwrapBridgeResult(message.result))
    } catch (err) {
      pending.reject(err instanceof Error ? err : new Error(String(err)))
    }
  }

  private failAll(error: Error): void {
    this.queue.splice(0)
    for (const p of this.pending.values()) p.reject(error)
    this.pending.clear()
  }

  private setState(state: ConnectionState): void {
    this.state = state
    for (const listener of [...this.stateListeners]) listener(state)
  }
}

function refusedError(): BridgeError {
  return new BridgeError({ name: 'AuthError', message: 'WaDock did not accept this admin token, or is not reachable', code: 'forbidden' })
}

/** JSON turns a trailing `undefined` argument into `null`, which the host's tuple schemas reject for optional ones. */
function trimUndefined(args: unknown[]): unknown[] {
  let end = args.length
  while (end > 0 && args[end - 1] === undefined) end--
  return args.slice(0, end)
}
