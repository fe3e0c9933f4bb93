/**
 * One WhatsApp account: a state machine that owns at most one Baileys socket at a time. Every status change is one
 * event; a socket's listeners die with it (events of an older socket are ignored by generation), so a reconnect
 * never leaks listeners or saves credentials twice; after a logout it never reconnects.
 */
import makeWASocket, {
  type AuthenticationState, type BaileysEventMap, Browsers, DisconnectReason, type UserFacingSocketConfig, type WAMessageKey, type WASocket, proto
} from '@whiskeysockets/baileys'
import type { Logger } from 'pino'
import type { SessionReason, SessionStatus } from '../../shared/domain.js'
import { ConflictError, OperationError } from '../errors.js'
import { type BackoffOptions, DEFAULT_BACKOFF, decideOnClose } from './reconnect-policy.js'

export interface SessionAuth {
  state: AuthenticationState
  saveCreds(): void
  hasCredentials(): boolean
  clear(): void
}

export interface SessionCallbacks {
  onStatus(status: SessionStatus, reason: SessionReason | null): void
  onQr(qr: string, expiresAt: number): void
  onPairCode(code: string): void
  /** every socket the session builds, so message handling can subscribe to it (and is dropped with it) */
  onSocket(sock: WASocket, events: SessionSocketEvents): void
  getMessage(key: WAMessageKey): Promise<proto.IMessage | undefined>
}

/** Baileys events of the session's current socket only. */
export type SessionSocketEvents = { on(handler: (events: Partial<BaileysEventMap>) => void): void }

export interface SessionOptions {
  id: string
  logger: Logger
  baileysLogger: Logger
  auth: SessionAuth
  /** where and how to reach WhatsApp (the simulator in sandbox mode and tests) */
  socketConfig: () => Partial<UserFacingSocketConfig>
  callbacks: SessionCallbacks
  backoff?: BackoffOptions
  /** a connection counts as stable (and resets the backoff) after this long */
  stableAfterMs?: number
}

const FIRST_QR_MS = 60_000
const NEXT_QR_MS = 20_000
/** how long a socket may take from connecting to its first QR code or to being logged in */
const CONNECT_TIMEOUT_MS = 20_000

export class Session {
  status: SessionStatus = 'disconnected'
  reason: SessionReason | null = null
  /** the QR codes shown so far on the current linking socket, newest last */
  qrCodes: string[] = []
  qrExpiresAt: number | null = null
  private sock?: WASocket
  private generation = 0
  private wantConnected = false
  private linking = false
  private pairingRequested = false
  private attempt = 0
  private replacements: number[] = []
  private reconnectTimer?: NodeJS.Timeout
  private stableTimer?: NodeJS.Timeout
  private connectTimer?: NodeJS.Timeout
  private closeWaiters: (() => void)[] = []
  private qrWaiters: (() => void)[] = []

  constructor(private readonly options: SessionOptions) {}

  get id(): string {
    return this.options.id
  }

  get socket(): WASocket | undefined {
    return this.status === 'logged_in' ? this.sock : undefined
  }

  get me() {
    return this.options.auth.state.creds.me
  }

  /** Linked means WhatsApp issued this device an identity (pair-success); saved creds alone do not make it so. */
  isLinked(): boolean {
    return !!this.options.auth.state.creds.account
  }

  /** Idempotent: a session already connecting, linking or connected is left alone. */
  connect(): void {
    if (this.wantConnected) return
    this.wantConnected = true
    this.attempt = 0
    this.open()
  }

  private open(): void {
    clearTimeout(this.reconnectTimer)
    this.reconnectTimer = undefined
    const generation = ++this.generation
    this.linking = !this.isLinked()
    this.qrCodes = []
    this.qrExpiresAt = null
    this.setStatus('connecting', this.reason === 'restart' ? 'restart' : null)
    const { connectTimeoutMs = CONNECT_TIMEOUT_MS, ...config } = this.options.socketConfig()
    const sock = makeWASocket({
      browser: Browsers.appropriate('Desktop'),
      markOnlineOnConnect: false,
      syncFullHistory: false,
      ...config,
      // Baileys applies this timeout to the handshake and also to every frame it sends, where each send then costs
      // a timer and two captured stack traces (a tenth of the CPU of sending a text). Dead connections are found by
      // Baileys' keep-alive; the connect is timed by the session itself (below).
      connectTimeoutMs: 0,
      auth: this.options.auth.state,
      logger: this.options.baileysLogger as any,
      getMessage: this.options.callbacks.getMessage
    })
    this.sock = sock
    clearTimeout(this.connectTimer)
    this.connectTimer = setTimeout(() => {
      // a network-type close (428), so the reconnect policy backs off and tries again
      const error = Object.assign(new Error('timed out connecting to WhatsApp'), { output: { statusCode: DisconnectReason.connectionClosed } })
      if (sock === this.sock) void sock.end(error)
    }, connectTimeoutMs)
    const handlers: ((events: Partial<BaileysEventMap>) => void)[] = []
    sock.ev.process(async events => {
      if (generation !== this.generation) return
      if (events['creds.update']) this.options.auth.saveCreds()
      for (const handler of handlers) handler(events)
      const update = events['connection.update']
      if (update) this.onConnectionUpdate(update, sock, config.qrTimeout)
    })
    this.options.callbacks.onSocket(sock, { on: handler => handlers.push(handler) })
  }

  private onConnectionUpdate(update: BaileysEventMap['connection.update'], sock: WASocket, qrTimeout?: number): void {
    if (update.qr || update.connection === 'open') {
      clearTimeout(this.connectTimer)
      this.connectTimer = undefined
    }
    if (update.qr) {
      const lifetime = qrTimeout ?? (this.qrCodes.length === 0 ? FIRST_QR_MS : NEXT_QR_MS)
      this.qrCodes.push(update.qr)
      this.qrExpiresAt = Date.now() + lifetime
      this.linking = true
      if (!this.pairingRequested) this.setStatus('waiting_for_qr', null)
      this.options.callbacks.onQr(update.qr, this.qrExpiresAt)
      for (const wake of this.qrWaiters.splice(0)) wake()
    }
    if (update.isNewLogin) this.setStatus('connected', null)
    if (update.connection === 'open') {
      this.linking = false
      this.pairingRequested = false
      this.qrCodes = []
      this.qrExpiresAt = null
      this.setStatus('logged_in', null)
      clearTimeout(this.stableTimer)
      this.stableTimer = setTimeout(() => { this.attempt = 0 }, this.options.stableAfterMs ?? 30_000)
      this.stableTimer.unref?.()
    }
    if (update.connection === 'close') this.onClose(sock, (update.lastDisconnect?.error as { output?: { statusCode?: number } } | undefined)?.output?.statusCode)
  }

  private onClose(sock: WASocket, statusCode: number | undefined): void {
    if (sock !== this.sock) return
    this.sock = undefined
    this.generation++
    clearTimeout(this.stableTimer)
    clearTimeout(this.connectTimer)
    this.connectTimer = undefined
    for (const wake of this.closeWaiters.splice(0)) wake()
    if (!this.wantConnected) {
      this.setStatus('disconnected', this.reason === 'logged_out' ? 'logged_out' : 'user')
      return
    }
    const now = Date.now()
    const decision = decideOnClose({ statusCode, linking: this.linking, attempt: this.attempt, recentReplacements: this.replacements, now }, this.options.backoff ?? DEFAULT_BACKOFF)
    if (statusCode === 440) this.replacements = [...this.replacements.filter(t => now - t < 10 * 60_000), now]
    this.options.logger.info({ statusCode, decision }, 'socket closed')
    if (decision.action === 'stop') {
      this.wantConnected = false
      this.pairingRequested = false
      if (decision.clearCredentials) this.options.auth.clear()
      this.setStatus('disconnected', decision.reason)
      return
    }
    if (decision.delayMs === 0) {
      this.reason = decision.reason
      this.open()
      return
    }
    this.attempt++
    this.setStatus('connecting', decision.reason)
    this.reconnectTimer = setTimeout(() => this.open(), decision.delayMs)
  }

  /** Closes the socket and keeps the credentials: the next connect needs no QR. */
  async disconnect(): Promise<void> {
    this.wantConnected = false
    this.pairingRequested = false
    clearTimeout(this.reconnectTimer)
    this.reconnectTimer = undefined
    const sock = this.sock
    if (!sock) {
      if (this.status !== 'disconnected' || this.reason !== 'user') this.setStatus('disconnected', 'user')
      return
    }
    const closed = new Promise<void>(resolve => this.closeWaiters.push(resolve))
    sock.end(undefined)
    await closed
  }

  /** Unlinks the device on WhatsApp (when connected) and forgets the credentials. */
  async logout(): Promise<void> {
    this.wantConnected = false
    this.pairingRequested = false
    clearTimeout(this.reconnectTimer)
    const sock = this.sock
    this.reason = 'logged_out'
    if (sock && this.status === 'logged_in') {
      const closed = new Promise<void>(resolve => this.closeWaiters.push(resolve))
      await sock.logout().catch(err => this.options.logger.warn({ err: String(err) }, 'logout request failed'))
      await closed
    } else if (sock) {
      const closed = new Promise<void>(resolve => this.closeWaiters.push(resolve))
      sock.end(undefined)
      await closed
    }
    this.options.auth.clear()
    this.setStatus('disconnected', 'logged_out')
  }

  /**
   * Asks WhatsApp for an 8-character code to type on the phone. Resolves only once the server accepted the request
   * (Baileys itself resolves as soon as the request is sent).
   */
  async requestPairingCode(phoneNumber: string, timeoutMs = 20_000): Promise<string> {
    if (this.isLinked() || this.status === 'logged_in') throw new ConflictError('the session is already linked')
    this.pairingRequested = true
    this.connect()
    if (!this.qrCodes.length) await this.waitFor(this.qrWaiters, timeoutMs, 'the connection to WhatsApp')
    const sock = this.sock
    if (!sock) throw new OperationError('the connection to WhatsApp closed')
    const accepted = new Promise<void>((resolve, reject) => {
      const onResult = () => { cleanup(); resolve() }
      const onError = (node: { attrs: Record<string, string>; content?: unknown }) => {
        cleanup()
        const error = Array.isArray(node.content) ? node.content.find((c: { tag: string }) => c.tag === 'error') : undefined
        reject(new OperationError(`WhatsApp refused the pairing code request${error ? `: ${error.attrs?.text ?? error.attrs?.code}` : ''}`))
      }
      const timer = setTimeout(() => { cleanup(); reject(new OperationError('WhatsApp did not answer the pairing code request')) }, timeoutMs)
      const cleanup = () => {
        clearTimeout(timer)
        sock.ws.off('CB:iq,type:result,link_code_companion_reg', onResult)
        sock.ws.off('CB:iq,type:error', onError)
      }
      sock.ws.on('CB:iq,type:result,link_code_companion_reg', onResult)
      sock.ws.on('CB:iq,type:error', onError)
    })
    const code = await sock.requestPairingCode(phoneNumber)
    await accepted
    this.setStatus('waiting_for_pair_code', null)
    this.options.callbacks.onPairCode(code)
    return code
  }

  private waitFor(list: (() => void)[], timeoutMs: number, what: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new OperationError(`timed out waiting for ${what}`)), timeoutMs)
      list.push(() => { clearTimeout(timer); resolve() })
    })
  }

  private setStatus(status: SessionStatus, reason: SessionReason | null): void {
    if (status === this.status && reason === this.reason) return
    this.status = status
    this.reason = reason
    this.options.callbacks.onStatus(status, reason)
  }
}
