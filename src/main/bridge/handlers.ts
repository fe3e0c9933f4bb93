/**
 * The bridge contract (src/shared/bridge.ts) implemented against the host, with no transport: Electron's IPC
 * (electron/ipc.ts) and headless mode's WebSocket (web/) both call `call(method, args)`, which validates the
 * arguments with `bridgeInputSchemas` and answers a `BridgeResult`: it never throws.
 */
import { randomBytes } from 'node:crypto'
import type { Logger } from 'pino'
import type { z } from 'zod'
import {
  type AppInfo, BRIDGE_METHODS, type BridgeMethod, type BridgeResult, type WaDockBridge, bridgeInputSchemas
} from '../../shared/bridge.js'
import { phoneDigits } from '../../shared/operations.js'
import type { Settings } from '../../shared/settings.js'
import { ConflictError } from '../errors.js'
import type { Host } from '../host.js'
import { generateAdminToken, type SettingsStore } from '../settings/index.js'
import { SandboxError, toBridgeError } from './errors.js'
import { EventFeed, type EventFeedOptions } from './event-feed.js'

/** Each method with its validated arguments. */
export type BridgeHandlers = {
  [M in BridgeMethod]: (...args: z.output<(typeof bridgeInputSchemas)[M]>) => ReturnType<WaDockBridge[M]>
}

export interface BridgeDeps {
  /** the app settings (conf headless, electron-store in the desktop app) */
  settings: SettingsStore
  shell: AppInfo['shell']
  version: string
  /**
   * Puts a settings change into effect where the shell can (start at login, the REST server). Runs after the change
   * is saved; a failure is the caller's error, and the saved settings stay.
   */
  applySettings?: (next: Settings, previous: Settings) => Promise<void> | void
  logger?: Logger
  feed?: Pick<EventFeedOptions, 'recentLimit' | 'queueLimit' | 'storageThrottleMs' | 'mediaWaitMs'>
  /** how long `sandboxLink` waits for a QR code when the session has none yet (default 30 s) */
  qrWaitMs?: number
}

export interface Bridge {
  readonly handlers: BridgeHandlers
  readonly feed: EventFeed
  /** validates `args` for `method` and runs it; unknown methods and bad arguments come back as errors */
  call(method: string, args: unknown): Promise<BridgeResult>
  close(): void
}

const newSessionToken = () => randomBytes(24).toString('base64url')

export function createBridgeHandlers(host: Host, deps: BridgeDeps): Bridge {
  const { settings } = deps
  const feed = new EventFeed({
    events: host.events,
    storageStats: id => host.store.storageStats(id),
    mediaIdle: () => host.sessions.media.idle(),
    logger: deps.logger,
    ...deps.feed
  })

  const sandbox = () => {
    if (!host.simulator) {
      throw new SandboxError('sandbox mode is off: virtual phones exist only while WaDock runs against its built-in simulator '
        + '(the "sandbox" setting, or `npm run serve -- --sandbox`)')
    }
    return host.simulator
  }

  /** The session's newest QR code, connecting it and waiting for one first if needed. */
  const qrOf = async (id: string): Promise<string> => {
    const session = host.sessions.get(id)
    if (session.status === 'logged_in' || session.status === 'connected' || session.isLinked()) {
      throw new ConflictError(`session ${id} is linked already: log it out to link it to another phone`)
    }
    if (session.status === 'waiting_for_qr' && session.qrCodes.length) return session.qrCodes[session.qrCodes.length - 1]
    if (session.status === 'waiting_for_pair_code') throw new ConflictError(`session ${id} is waiting for a pairing code, not a QR scan`)
    return new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        stop()
        reject(new ConflictError(`session ${id} showed no QR code within ${Math.round((deps.qrWaitMs ?? 30_000) / 1000)} s`))
      }, deps.qrWaitMs ?? 30_000)
      const unsubscribe = host.events.subscribe(event => {
        if (event.type === 'qr' && event.sessionId === id) {
          stop()
          resolve(event.qr)
        } else if (event.type === 'session_removed' && event.sessionId === id) {
          stop()
          reject(new ConflictError(`session ${id} was deleted`))
        }
      })
      const stop = () => {
        clearTimeout(timer)
        unsubscribe()
      }
      if (session.status === 'disconnected') host.sessions.connect(id)
    })
  }

  const changeSettings = async (patch: Parameters<SettingsStore['update']>[0]): Promise<Settings> => {
    const previous = settings.get()
    const next = settings.update(patch)
    feed.settingsChanged(next)
    await deps.applySettings?.(next, previous)
    return next
  }

  const handlers: BridgeHandlers = {
    appInfo: async () => ({
      version: deps.version,
      shell: deps.shell,
      sandbox: !!host.simulator,
      apiUrl: host.apiUrl ?? null,
      dataDir: host.store.dataDir
    }),
    listSessions: async () => host.sessions.list(),
    getSession: async id => host.sessions.info(id),
    createSession: async request => {
      const info = host.sessions.create({
        id: request.id, name: request.name ?? null, webhook: request.webhook ?? null, connect: !request.pairWithPhone
      })
      // the code itself arrives as a `pair_code` event, as it does for a later `requestPairingCode`
      if (request.pairWithPhone) await host.sessions.requestPairingCode(info.id, request.pairWithPhone)
      return host.sessions.info(info.id)
    },
    connectSession: async id => {
      host.sessions.connect(id)
      return host.sessions.info(id)
    },
    disconnectSession: async id => {
      await host.sessions.disconnect(id)
      return host.sessions.info(id)
    },
    logoutSession: async id => {
      await host.sessions.logout(id)
      return host.sessions.info(id)
    },
    deleteSession: async id => {
      await host.sessions.delete(id)
    },
    clearSession: async id => {
      await host.sessions.clear(id)
      const stats = await host.store.storageStats(id)
      feed.storageComputed(id, stats)
      return stats
    },
    requestPairingCode: async (id, phoneNumber) => ({ code: await host.sessions.requestPairingCode(id, phoneNumber) }),
    currentQr: async id => {
      host.sessions.record(id)
      const session = host.sessions.get(id)
      const linking = session.status === 'waiting_for_qr' || session.status === 'waiting_for_pair_code'
      const qrCodes = linking ? [...session.qrCodes].reverse() : []
      return { qrCodes, expiresAt: qrCodes.length ? session.qrExpiresAt : null }
    },
    storageStats: async id => {
      host.sessions.record(id)
      return host.store.storageStats(id)
    },
    sessionToken: async id => ({ token: host.sessions.record(id).token }),
    rotateSessionToken: async id => {
      host.sessions.record(id)
      const token = newSessionToken()
      host.store.sessions.update(id, { token })
      return { token }
    },
    getWebhook: async id => host.sessions.info(id).webhook,
    setWebhook: async (id, webhook) => {
      host.sessions.setWebhook(id, webhook)
      return host.sessions.info(id).webhook
    },
    webhookDeliveries: async id => {
      host.sessions.record(id)
      return host.webhooks.deliveries(id)
    },
    recentEvents: async id => feed.recent(id),
    getSettings: async () => settings.get(),
    updateSettings: async patch => changeSettings(patch),
    rotateAdminToken: async () => {
      const adminToken = generateAdminToken()
      await changeSettings({ adminToken })
      return { adminToken }
    },
    sandboxLink: async ({ sessionId, phone, name }) => {
      const sim = sandbox()
      host.sessions.record(sessionId)
      const qr = await qrOf(sessionId)
      return sim.scanQr(phoneDigits(phone)!, qr, name)
    },
    sandboxSendMessage: async ({ fromPhone, toSessionId, text }) => {
      const sim = sandbox()
      const info = host.sessions.info(toSessionId)
      if (!info.isLoggedIn || !info.phoneNumber) throw new ConflictError(`session ${toSessionId} is not linked: link it to a virtual phone first`)
      const from = phoneDigits(fromPhone)!
      // the panel writes "as another person": a number the simulator does not know yet becomes a new account
      if (!sim.listAccounts().some(a => a.phone === from)) await sim.createAccount(from)
      return sim.sendText(from, info.phoneNumber, text)
    }
  }

  const methods = new Set<string>(BRIDGE_METHODS)
  return {
    handlers,
    feed,
    async call(method, args) {
      try {
        if (typeof method !== 'string' || !methods.has(method) || Object.prototype.hasOwnProperty.call(Object.prototype, method)) {
          return { ok: false, error: { name: 'NotFoundError', message: `no bridge method ${JSON.stringify(method)}`, code: 'not_found' } }
        }
        const name = method as BridgeMethod
        const parsed = bridgeInputSchemas[name].parse(args ?? [])
        const handler = handlers[name] as (...a: unknown[]) => Promise<unknown>
        return { ok: true, value: await handler(...(parsed as unknown[])) }
      } catch (err) {
        const error = toBridgeError(err)
        if (error.code === 'internal') deps.logger?.error({ err, method }, 'bridge call failed')
        return { ok: false, error }
      }
    },
    close: () => feed.close()
  }
}
