/**
 * A real, unmodified Baileys client for tests and benchmarks, pointed at the simulator. It keeps its credentials
 * in memory across reconnects and restarts on 515 as every Baileys app does; everything it receives is recorded.
 */
import makeWASocket, {
  type AuthenticationCreds, type BaileysEventMap, type ConnectionState, DisconnectReason, initAuthCreds, type SignalKeyStore, type WAMessage, type WASocket
} from '@whiskeysockets/baileys'
import pino from 'pino'
import { makeMemoryKeyStore } from '../../src/sim/memory-keys.js'
import type { SimulatorInfo } from '../../src/sim/index.js'
import { simulatorSocketOptions } from '../../src/sim/index.js'

export interface ClientOptions {
  qrTimeout?: number
  /** reconnect automatically on every close but loggedOut (default: only on 515 restartRequired) */
  reconnectOnAnyClose?: boolean
  /** log in with saved credentials: the `creds` and `keys` of an earlier client (shared, not copied) */
  auth?: { creds: AuthenticationCreds; keys: SignalKeyStore }
}

type Listener = { event: keyof BaileysEventMap; check: (data: any) => boolean; resolve: (data: any) => void }

export class TestClient {
  creds: AuthenticationCreds = initAuthCreds()
  readonly keys: SignalKeyStore = makeMemoryKeyStore()
  sock?: WASocket
  readonly messages: WAMessage[] = []
  readonly updates: BaileysEventMap['messages.update'] = []
  readonly receipts: BaileysEventMap['message-receipt.update'] = []
  readonly closes: { statusCode?: number; at: number }[] = []
  connection: ConnectionState['connection'] = 'close'
  lastQr?: string
  private listeners = new Set<Listener>()
  private stopped = false
  readonly options: ReturnType<typeof simulatorSocketOptions>

  constructor(readonly info: SimulatorInfo, readonly clientOptions: ClientOptions = {}) {
    this.options = simulatorSocketOptions(info)
    if (clientOptions.auth) {
      this.creds = clientOptions.auth.creds
      this.keys = clientOptions.auth.keys
    }
  }

  connect(): WASocket {
    this.stopped = false
    const sock = makeWASocket({
      auth: { creds: this.creds, keys: this.keys },
      waWebSocketUrl: this.options.waWebSocketUrl,
      fetchAgent: this.options.fetchAgent,
      logger: pino({ level: process.env.WADOCK_TEST_BAILEYS_LOG ?? 'silent' }) as any,
      qrTimeout: this.clientOptions.qrTimeout,
      markOnlineOnConnect: true,
      syncFullHistory: false,
      getMessage: async key => this.messages.find(m => m.key.id === key.id)?.message ?? undefined
    })
    this.sock = sock
    sock.ev.process(async events => {
      for (const [name, data] of Object.entries(events)) this.emit(name as keyof BaileysEventMap, data)
      if (events['creds.update']) Object.assign(this.creds, events['creds.update'])
      if (events['messages.upsert']) this.messages.push(...events['messages.upsert'].messages)
      if (events['messages.update']) this.updates.push(...events['messages.update'])
      if (events['message-receipt.update']) this.receipts.push(...events['message-receipt.update'])
      const update = events['connection.update']
      if (update) {
        if (update.qr) this.lastQr = update.qr
        if (update.connection) this.connection = update.connection
        if (update.connection === 'close' && sock === this.sock) {
          const statusCode = (update.lastDisconnect?.error as any)?.output?.statusCode
          this.closes.push({ statusCode, at: Date.now() })
          const reconnect = !this.stopped && (statusCode === DisconnectReason.restartRequired ||
            (this.clientOptions.reconnectOnAnyClose && statusCode !== DisconnectReason.loggedOut))
          if (reconnect) setTimeout(() => { if (!this.stopped) this.connect() }, statusCode === DisconnectReason.restartRequired ? 0 : 100)
        }
      }
    })
    return sock
  }

  private emit(event: keyof BaileysEventMap, data: any): void {
    queueMicrotask(() => { for (const check of [...this.stateWaiters]) check() })
    for (const l of [...this.listeners]) {
      if (l.event === event && l.check(data)) {
        this.listeners.delete(l)
        l.resolve(data)
      }
    }
  }

  /** Resolves with the next `event` whose data passes `check`. */
  waitFor<E extends keyof BaileysEventMap>(event: E, check: (data: BaileysEventMap[E]) => boolean = () => true, timeoutMs = 15_000): Promise<BaileysEventMap[E]> {
    return new Promise((resolve, reject) => {
      const listener: Listener = {
        event, check, resolve: data => { clearTimeout(timer); resolve(data) }
      }
      const timer = setTimeout(() => { this.listeners.delete(listener); reject(new Error(`timed out waiting for ${event}`)) }, timeoutMs)
      this.listeners.add(listener)
    })
  }

  private stateWaiters = new Set<() => void>()

  /** Resolves once `check()` holds, re-evaluated after every event the client receives. */
  until<T>(check: () => T | undefined | false, timeoutMs = 15_000, what = 'a condition'): Promise<T> {
    const now = check()
    if (now) return Promise.resolve(now)
    return new Promise((resolve, reject) => {
      const waiter = () => {
        const value = check()
        if (value) { clearTimeout(timer); this.stateWaiters.delete(waiter); resolve(value) }
      }
      const timer = setTimeout(() => { this.stateWaiters.delete(waiter); reject(new Error(`timed out waiting for ${what}`)) }, timeoutMs)
      this.stateWaiters.add(waiter)
    })
  }

  /** Resolves once message `id` reached at least `status` (3 delivered, 4 read). */
  waitForStatus(id: string, status: number, timeoutMs = 15_000): Promise<unknown> {
    // Baileys' event buffer folds an update into the upsert when both fall in one buffering window.
    return this.until(() => this.updates.some(u => u.key.id === id && (u.update.status ?? 0) >= status) ||
      this.messages.some(m => m.key.id === id && (m.status ?? 0) >= status), timeoutMs, `status ${status} of ${id}`)
  }

  waitForQr(timeoutMs = 15_000): Promise<string> {
    if (this.lastQr && this.connection !== 'open') return Promise.resolve(this.lastQr)
    return this.waitFor('connection.update', u => !!u.qr, timeoutMs).then(u => u.qr!)
  }

  waitForOpen(timeoutMs = 15_000): Promise<unknown> {
    return this.waitFor('connection.update', u => u.connection === 'open', timeoutMs)
  }

  /** Resolves once the client processed its offline queue (Baileys' `receivedPendingNotifications`). */
  waitForReady(timeoutMs = 15_000): Promise<unknown> {
    return this.waitFor('connection.update', u => u.receivedPendingNotifications === true, timeoutMs)
  }

  waitForMessage(check: (m: WAMessage) => boolean, timeoutMs = 15_000): Promise<WAMessage> {
    return this.until(() => this.messages.find(check), timeoutMs, 'a message')
  }

  waitForClose(timeoutMs = 15_000): Promise<number | undefined> {
    return this.waitFor('connection.update', u => u.connection === 'close', timeoutMs)
      .then(u => (u.lastDisconnect?.error as any)?.output?.statusCode)
  }

  get me() {
    return this.creds.me
  }

  stop(): void {
    this.stopped = true
    this.sock?.end(undefined)
  }
}

/** Connects a fresh client and links it as `phone` by QR; resolves once it is logged in and ready. */
export async function linkByQr(
  sim: { scanQr(phone: string, qr: string, name?: string): Promise<{ device: string }>; info(): SimulatorInfo },
  phone: string,
  name?: string,
  options: ClientOptions = {}
): Promise<TestClient> {
  const client = new TestClient(sim.info(), options)
  client.connect()
  const qr = await client.waitForQr()
  const ready = client.waitForReady(20_000)
  await sim.scanQr(phone, qr, name)
  await ready
  return client
}
