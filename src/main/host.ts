/**
 * createHost(): builds and wires WaDock's services (store, events, sessions; later the REST server and webhooks)
 * and starts and stops them in order. Electron's main process and the headless runner both use it; nothing here
 * imports Electron.
 */
import type { RequestListener, Server } from 'node:http'
import type { Agent as HttpsAgent } from 'node:https'
import type { UserFacingSocketConfig } from '@whiskeysockets/baileys'
import pino, { type Logger } from 'pino'
import type { Simulator } from '../sim/index.js'
import { type ApiServer, createApiApp, startApiServer } from './api/index.js'
import { HostEvents } from './events.js'
import { routeLibsignalConsole } from './libsignal-log.js'
import type { BackoffOptions } from './sessions/reconnect-policy.js'
import { SessionManager } from './sessions/session-manager.js'
import { openStore, type Store } from './store/index.js'
import type { DispatchOptions } from './webhooks/dispatcher.js'
import { createWebhookService, type HostWebhookService } from './webhooks/service.js'

/** Where the sessions find WhatsApp. Default: WhatsApp itself. */
export type WhatsAppTarget =
  | { kind: 'whatsapp' }
  /** a simulator started inside this host (sandbox mode) */
  | { kind: 'sandbox' }
  /** an external simulator: its WebSocket URL and root key; media trust comes from NODE_EXTRA_CA_CERTS */
  | { kind: 'simulator'; wsUrl: string; rootPublicKey: string; caPem?: string }

export interface HostOptions {
  dataDir: string
  logger?: Logger
  baileysLogLevel?: string
  target?: WhatsAppTarget
  /** Baileys socket options merged into every session's (tests shorten qrTimeout here) */
  socketOverrides?: Partial<UserFacingSocketConfig>
  backoff?: BackoffOptions
  /** webhook delivery: concurrency, retries, backoff, timeout (tests shorten the delays) */
  webhooks?: Partial<DispatchOptions>
  /** the REST API; started with the host when enabled */
  api?: HostApiOptions
}

export interface HostApiOptions {
  enabled: boolean
  host: string
  port: number
  /** read on every request, so a rotated token applies at once */
  adminToken: () => string
  allowedOrigins?: string[]
  /** more served on the API's port beside it (headless mode's web UI); built each time the API starts */
  extend?: (host: Host) => ApiExtension
}

/** Something served on the REST API's port beside it: its own requests and WebSocket upgrades. */
export interface ApiExtension {
  /** the server's request listener: answers what is its own and passes the rest to `api` */
  wrap(api: RequestListener): RequestListener
  /** once the server listens (to take WebSocket upgrades) */
  attach(server: Server): void
  /** before the server closes: ends its own connections */
  close(): Promise<void>
}

export interface Host {
  readonly store: Store
  readonly events: HostEvents
  readonly sessions: SessionManager
  readonly webhooks: HostWebhookService
  readonly logger: Logger
  /** the in-process simulator in sandbox mode */
  readonly simulator?: Simulator
  /** download options that trust the simulator's media CA, when pointed at one */
  readonly mediaDispatcher?: unknown
  /** where the REST API listens, once started (undefined when it is off) */
  readonly apiUrl: string | undefined
  /** stops the REST API and starts it again with these options (not at all when absent or disabled) */
  setApi(api: HostApiOptions | undefined): Promise<void>
  start(): Promise<void>
  stop(): Promise<void>
}

export async function createHost(options: HostOptions): Promise<Host> {
  const logger = options.logger ?? pino({ level: process.env.WADOCK_LOG ?? 'info' })
  const baileysLogger = logger.child({ component: 'baileys' }, { level: options.baileysLogLevel ?? process.env.WADOCK_BAILEYS_LOG ?? 'silent' })
  const target = options.target ?? { kind: 'whatsapp' }
  let simulator: Simulator | undefined
  let socketTarget: Partial<UserFacingSocketConfig> = {}
  let mediaDispatcher: unknown
  if (target.kind !== 'whatsapp') {
    // Only here, when explicitly pointed at a simulator, does WaDock trust a root key other than WhatsApp's.
    const sim = await import('../sim/index.js')
    let info: { wsUrl: string; rootPublicKey: string; caPem?: string }
    if (target.kind === 'sandbox') {
      simulator = await sim.startSimulator({ logger: logger.child({ component: 'simulator' }, { level: 'warn' }) })
      info = simulator.info()
    } else {
      info = target
    }
    sim.trustSimulatorRoot(info.rootPublicKey)
    socketTarget = { waWebSocketUrl: info.wsUrl }
    if (info.caPem) {
      const { trustingAgents } = await import('../sim/media-server.js')
      const agents = trustingAgents(info.caPem)
      socketTarget.fetchAgent = agents.httpsAgent as HttpsAgent
      mediaDispatcher = agents.dispatcher
    }
  }
  const store = openStore({ dataDir: options.dataDir, logger })
  const events = new HostEvents()
  const sessions = new SessionManager({
    store, events, logger, baileysLogger, backoff: options.backoff, mediaDispatcher,
    socketConfig: () => ({ ...socketTarget, ...options.socketOverrides })
  })
  const webhooks = createWebhookService({ store, events, logger: logger.child({ component: 'webhooks' }), options: options.webhooks })
  let state: 'new' | 'started' | 'stopped' = 'new'
  let apiServer: ApiServer | undefined
  let apiExtension: ApiExtension | undefined
  let apiOptions = options.api
  let apiChange: Promise<void> = Promise.resolve()
  let unrouteLibsignal: (() => void) | undefined
  const startApi = async () => {
    const api = apiOptions
    if (!api?.enabled) return
    const app = createApiApp({ host, adminToken: api.adminToken, allowedOrigins: api.allowedOrigins, logger: logger.child({ component: 'api' }) })
    const extension = api.extend?.(host)
    try {
      apiServer = await startApiServer(extension ? extension.wrap(app) : app, { host: api.host, port: api.port })
    } catch (err) {
      await extension?.close()
      throw err
    }
    apiExtension = extension
    extension?.attach(apiServer.server)
    logger.info({ url: apiServer.url }, 'REST API listening')
  }
  const stopApi = async () => {
    const [server, extension] = [apiServer, apiExtension]
    apiServer = apiExtension = undefined
    await extension?.close()
    await server?.close()
  }
  const host: Host = {
    store, events, sessions, webhooks, logger, simulator, mediaDispatcher,
    get apiUrl() {
      return apiServer?.url
    },
    async start() {
      if (state !== 'new') return
      state = 'started'
      unrouteLibsignal = routeLibsignalConsole(logger)
      sessions.start()
      // after the sessions: what they queue while starting is delivered; what was pending before a crash resumes
      webhooks.start()
      await startApi()
    },
    setApi(api) {
      apiOptions = api
      // one change at a time: two overlapping restarts would both start a server (one leaked, or the port taken)
      const change = apiChange.catch(() => undefined).then(async () => {
        if (state !== 'started') return
        await stopApi()
        await startApi()
      })
      apiChange = change
      return change
    },
    async stop() {
      if (state === 'stopped') return
      state = 'stopped'
      // Order matters: no new requests, then sessions close their sockets (and flush credentials), then the
      // database closes.
      await apiChange.catch(() => undefined)
      await stopApi()
      await sessions.stop()
      // the last events of closing sessions are in the outbox; requests in flight stay pending for the next start
      await webhooks.stop()
      store.close()
      await simulator?.stop()
      unrouteLibsignal?.()
    }
  }
  return host
}
