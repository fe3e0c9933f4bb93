/**
 * All sessions of one host: creates them, keeps the sessions table in step with each one's status, and on start
 * reconnects exactly those that were running when the host last stopped.
 */
import { randomBytes } from 'node:crypto'
import { type UserFacingSocketConfig, proto } from '@whiskeysockets/baileys'
import type { Logger } from 'pino'
import { adminTokenSchema } from '../../shared/settings.js'
import { formatPairingCode, type SessionInfo, type SessionReason, type SessionStatus, type WebhookConfig, sessionIdSchema, webhookConfigSchema } from '../../shared/domain.js'
import { ConflictError, NotFoundError, ValidationError } from '../errors.js'
import type { HostEvents } from '../events.js'
import type { SessionRecord, Store } from '../store/index.js'
import { MediaIngest } from './media-ingest.js'
import { GroupMetadataCache } from './group-cache.js'
import { storeBeforeReceipt } from './early-store.js'
import { ingestEvents, ingestMessage } from './message-ingest.js'
import type { BackoffOptions } from './reconnect-policy.js'
import { Session } from './session.js'

export interface SessionManagerOptions {
  store: Store
  events: HostEvents
  logger: Logger
  /** Baileys' own logs, usually much quieter than WaDock's */
  baileysLogger: Logger
  socketConfig: () => Partial<UserFacingSocketConfig>
  backoff?: BackoffOptions
  /** undici dispatcher for media downloads (the host's, trusting the simulator's media CA when pointed at one) */
  mediaDispatcher?: unknown
}

export interface CreateSessionInput {
  id?: string
  name?: string | null
  webhook?: WebhookConfig | null
  /** the session's API token, when the caller chooses it (a wuzapi user's); generated otherwise */
  token?: string
  /** false: created stopped (default: it starts connecting at once) */
  connect?: boolean
}

/** Statuses a session ends in on its own, after which it must not come back at the next start. */
const FINAL_REASONS = new Set<SessionReason | null>(['qr_timeout', 'logged_out', 'replaced', 'user'])

export class SessionManager {
  private readonly sessions = new Map<string, Session>()
  private stopping = false
  /** saves the files of stored media messages under sessions/<id>/media and thumb */
  readonly media: MediaIngest

  constructor(private readonly options: SessionManagerOptions) {
    this.media = new MediaIngest({ store: options.store, logger: options.logger.child({ component: 'media' }), dispatcher: options.mediaDispatcher })
  }

  /** Builds a Session for every stored row and reconnects the ones that were running. */
  start(): void {
    for (const record of this.options.store.sessions.list()) {
      const session = this.build(record.id)
      if (record.wasRunning) session.connect()
      else if (record.status !== 'disconnected') this.options.store.sessions.update(record.id, { status: 'disconnected' })
    }
  }

  /** Closes every socket; `wasRunning` is left as it is, so the same sessions come back at the next start. */
  async stop(): Promise<void> {
    this.stopping = true
    await Promise.all([...this.sessions.values()].map(s => s.disconnect()))
    await this.media.stop()
  }

  create(input: CreateSessionInput): SessionInfo {
    const id = input.id ?? `s-${randomBytes(6).toString('hex')}`
    const parsedId = sessionIdSchema.safeParse(id)
    if (!parsedId.success) throw new ValidationError('invalid session id', parsedId.error.issues)
    if (input.webhook) {
      const parsed = webhookConfigSchema.safeParse(input.webhook)
      if (!parsed.success) throw new ValidationError('invalid webhook', parsed.error.issues)
    }
    if (input.token !== undefined) {
      const parsed = adminTokenSchema.safeParse(input.token)
      if (!parsed.success) throw new ValidationError('invalid token', parsed.error.issues)
      if (this.options.store.sessions.findByToken(input.token)) throw new ConflictError('that token is taken')
    }
    if (this.options.store.sessions.get(id)) throw new ConflictError(`session ${id} already exists`)
    this.options.store.sessions.create({
      id, token: input.token ?? randomBytes(24).toString('base64url'), name: input.name ?? null, status: 'disconnected', webhook: input.webhook ?? null
    })
    this.build(id)
    if (input.connect !== false) this.connect(id)
    return this.info(id)
  }

  private build(id: string): Session {
    const { store, events, logger } = this.options
    const sessionLogger = logger.child({ session: id })
    const groups = new GroupMetadataCache()
    const auth = store.authState(id)
    const session: Session = new Session({
      id,
      logger: sessionLogger,
      baileysLogger: this.options.baileysLogger.child({ session: id }),
      auth,
      socketConfig: () => ({ ...this.options.socketConfig(), cachedGroupMetadata: async jid => groups.get(jid) }),
      backoff: this.options.backoff,
      callbacks: {
        onStatus: (status, reason) => this.onStatus(session, status, reason),
        onQr: (qr, expiresAt) => {
          store.webhooks.enqueue(id, 'qr', { qr, expires_at: expiresAt })
          events.emit({ type: 'qr', sessionId: id, qr, expiresAt })
        },
        onPairCode: bare => {
          const code = formatPairingCode(bare)
          store.webhooks.enqueue(id, 'pair_code', { code })
          events.emit({ type: 'pair_code', sessionId: id, code })
        },
        onSocket: (sock, socketEvents) => {
          // stored as soon as decrypted, with the key changes of its decryption and before Baileys acknowledges it
          // to WhatsApp (see early-store.ts)
          storeBeforeReceipt(sock, message => ingestMessage(store, events, id, message), sessionLogger)
          socketEvents.on(batch => {
            groups.observe(batch)
            ingestEvents(store, events, id, batch)
          })
          // after ingest (handlers run in order), so the media of what was just stored is found
          socketEvents.on(batch => this.media.onEvents(id, sock, batch))
        },
        getMessage: async key => {
          const raw = key.id ? store.messages.getRaw(id, key.id) : undefined
          return raw ? proto.WebMessageInfo.decode(raw).message ?? undefined : undefined
        }
      }
    })
    this.sessions.set(id, session)
    this.media.resume(id)
    return session
  }

  private onStatus(session: Session, status: SessionStatus, reason: SessionReason | null): void {
    const { store, events } = this.options
    if (!store.sessions.get(session.id)) return
    const me = session.me
    const linked = status === 'logged_in'
    // the row and its webhook events in one transaction: a status change is announced if and only if it is stored
    store.db.transaction(() => this.storeStatus(session, status, reason, me, linked))()
    events.emit({ type: 'status', sessionId: session.id, status, reason })
  }

  private storeStatus(session: Session, status: SessionStatus, reason: SessionReason | null, me: Session['me'], linked: boolean): void {
    const { store } = this.options
    const record = store.sessions.update(session.id, {
      status,
      statusReason: reason,
      ...(linked && me ? {
        phoneNumber: me.id.split('@')[0].split(':')[0],
        pushName: me.name && me.name !== '~' ? me.name : null,
        lid: me.lid ? me.lid.replace(/:\d+@/, '@') : null,
        deviceId: Number(me.id.split('@')[0].split(':')[1] ?? 0),
        lastConnectedAt: Date.now()
      } : {}),
      ...(reason === 'logged_out' ? { phoneNumber: null, pushName: null, lid: null, deviceId: null } : {}),
      ...(status === 'disconnected' && !this.stopping && FINAL_REASONS.has(reason) ? { wasRunning: false } : {})
    })
    if (!record) return
    store.webhooks.enqueue(session.id, 'status', { status, reason })
    if (linked) store.webhooks.enqueue(session.id, 'connected', { phone_number: record.phoneNumber, push_name: record.pushName, lid: record.lid })
    else if (status === 'disconnected' && reason === 'logged_out') store.webhooks.enqueue(session.id, 'logged_out', { reason })
    else if (status === 'disconnected') store.webhooks.enqueue(session.id, 'disconnected', { reason })
  }

  get(id: string): Session {
    const session = this.sessions.get(id)
    if (!session) throw new NotFoundError(`session ${id} not found`)
    return session
  }

  record(id: string): SessionRecord {
    const record = this.options.store.sessions.get(id)
    if (!record) throw new NotFoundError(`session ${id} not found`)
    return record
  }

  info(id: string): SessionInfo {
    const r = this.record(id)
    const session = this.get(id)
    return {
      id: r.id,
      name: r.name,
      status: session.status,
      reason: session.reason,
      phoneNumber: r.phoneNumber,
      pushName: r.pushName,
      lid: r.lid,
      deviceId: r.deviceId,
      createdAt: r.createdAt,
      updatedAt: r.updatedAt,
      lastConnectedAt: r.lastConnectedAt,
      isLoggedIn: session.status === 'logged_in',
      webhook: (r.webhook as WebhookConfig | null) ?? null
    }
  }

  list(): SessionInfo[] {
    return [...this.sessions.keys()].map(id => this.info(id))
  }

  connect(id: string): void {
    const session = this.get(id)
    this.options.store.sessions.setWasRunning(id, true)
    session.connect()
  }

  async disconnect(id: string): Promise<void> {
    const session = this.get(id)
    this.options.store.sessions.setWasRunning(id, false)
    await session.disconnect()
  }

  async logout(id: string): Promise<void> {
    const session = this.get(id)
    this.options.store.sessions.setWasRunning(id, false)
    await session.logout()
  }

  /** Logs out if linked, then removes every row and file of the session. */
  async delete(id: string): Promise<void> {
    const session = this.get(id)
    if (session.status === 'logged_in') await session.logout()
    else await session.disconnect()
    this.sessions.delete(id)
    await this.media.forget(id)
    await this.options.store.deleteSession(id)
    this.options.events.emit({ type: 'session_removed', sessionId: id })
  }

  /** Drops cached media; credentials and messages stay. */
  async clear(id: string): Promise<void> {
    this.get(id)
    await this.options.store.clearMedia(id)
  }

  async requestPairingCode(id: string, phoneNumber: string): Promise<string> {
    const digits = phoneNumber.replace(/[\s()+-]/g, '')
    if (!/^[1-9][0-9]{6,14}$/.test(digits)) throw new ValidationError('phone_number must be an international number with 7 to 15 digits')
    const session = this.get(id)
    this.options.store.sessions.setWasRunning(id, true)
    return formatPairingCode(await session.requestPairingCode(digits))
  }

  setWebhook(id: string, webhook: WebhookConfig | null): void {
    this.record(id)
    if (webhook) {
      const parsed = webhookConfigSchema.safeParse(webhook)
      if (!parsed.success) throw new ValidationError('invalid webhook', parsed.error.issues)
    }
    const { store } = this.options
    store.db.transaction(() => {
      store.sessions.update(id, { webhook })
      // nowhere to deliver them any more; dead letters stay, to be replayed once a webhook is set again
      if (!webhook) store.webhooks.dropPending(id)
    })()
  }
}
