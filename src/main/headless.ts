/**
 * The headless runner: `npm run serve -- --data DIR [--port N] [--token T] [--sandbox] [--wa-url URL --wa-root-key HEX]`.
 * Runs WaDock's host without Electron: settings in `DIR/settings.json` (conf, the same schema as the desktop app's
 * electron-store), the database and media in DIR. Prints one JSON line on stdout once the host is up, logs pino
 * JSON on stderr, and stops in order (sessions, then database, then an in-process simulator) on SIGINT, SIGTERM or
 * SIGHUP, within 20 s. On the REST API's port it also serves the web UI: the built renderer at `/app/` and the bridge
 * over a WebSocket at `/app/bridge` (admin token required), so the desktop app's UI works in a browser.
 *
 * Exit codes: 0 after a signal-initiated stop; 1 on a failure; 2 on bad command-line flags; 75 when another
 * runner uses the data folder; 78 when the settings file is invalid (a supervisor should not restart on 2, 75, 78:
 * e.g. systemd's `RestartPreventExitStatus=2 75 78`).
 */
import { mkdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'
import pino, { type Logger } from 'pino'
import { type Bridge, createBridgeHandlers } from './bridge/index.js'
import { createHost, type Host, type WhatsAppTarget } from './host.js'
import { ensureAdminToken, openSettingsFile, SettingsError } from './settings/index.js'
import { createWebUi } from './web/index.js'

/** The renderer's build output, served as the web UI (WADOCK_RENDERER_DIR overrides it). */
export const RENDERER_DIR = process.env.WADOCK_RENDERER_DIR ?? fileURLToPath(new URL('../../out/renderer', import.meta.url))

function packageVersion(): string {
  try {
    return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string }).version ?? '0.0.0'
  } catch {
    return '0.0.0'
  }
}

export const USAGE = `usage: npm run serve -- --data DIR [options]

  --data DIR          data folder: settings.json, wadock.db and session media (created if missing)
  --port N            REST API port (1-65535), saved in the settings
  --token T           admin token (16-256 URL-safe characters), saved in the settings
  --sandbox           run against a WhatsApp simulator started in this process
  --wa-url URL        run against an external simulator at this WebSocket URL (ws:// or wss://) ...
  --wa-root-key HEX   ... whose Noise root public key is HEX (64 hex digits); media trust: NODE_EXTRA_CA_CERTS
  --log LEVEL         log level on stderr (fatal, error, warn, info, debug, trace, silent; default info)
  --help              this text

The REST API's port also serves the web UI (after \`npm run build\`): open the startup line's "ui" address
with #token=<admin token>.`

export const EXIT = { ok: 0, failure: 1, usage: 2, locked: 75, config: 78 } as const

export class UsageError extends Error {}

export interface ServeArgs {
  dataDir: string
  port?: number
  token?: string
  target?: WhatsAppTarget
  logLevel: string
  help: boolean
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']

/** Parses and validates the runner's flags; throws UsageError with a message fit for the user. */
export function parseServeArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): ServeArgs {
  let values: Record<string, string | boolean | undefined>
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        data: { type: 'string' },
        port: { type: 'string' },
        token: { type: 'string' },
        sandbox: { type: 'boolean', default: false },
        'wa-url': { type: 'string' },
        'wa-root-key': { type: 'string' },
        log: { type: 'string' },
        help: { type: 'boolean', default: false }
      }
    }))
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err))
  }
  const logLevel = (values.log as string | undefined) ?? env.WADOCK_LOG ?? 'info'
  if (values.help) return { dataDir: '', logLevel, help: true }
  if (!LOG_LEVELS.includes(logLevel)) throw new UsageError(`--log must be one of ${LOG_LEVELS.join(', ')}`)
  const data = values.data as string | undefined
  if (!data) throw new UsageError('--data DIR is required')
  let port: number | undefined
  if (values.port !== undefined) {
    port = Number(values.port)
    if (!/^\d+$/.test(values.port as string) || !Number.isInteger(port) || port < 1 || port > 65_535) {
      throw new UsageError(`--port must be a TCP port number from 1 to 65535, not ${JSON.stringify(values.port)}`)
    }
  }
  const token = values.token as string | undefined
  if (token !== undefined && !/^[A-Za-z0-9._~-]{16,256}$/.test(token)) {
    throw new UsageError('--token must be 16 to 256 characters: letters, digits, ".", "_", "~" and "-"')
  }
  const waUrl = values['wa-url'] as string | undefined
  const rootKey = values['wa-root-key'] as string | undefined
  let target: WhatsAppTarget | undefined
  if (values.sandbox && (waUrl || rootKey)) throw new UsageError('--sandbox and --wa-url/--wa-root-key exclude each other')
  if (values.sandbox) target = { kind: 'sandbox' }
  if (waUrl || rootKey) {
    if (!waUrl || !rootKey) throw new UsageError('--wa-url and --wa-root-key go together')
    let url: URL
    try {
      url = new URL(waUrl)
    } catch {
      throw new UsageError(`--wa-url is not a URL: ${JSON.stringify(waUrl)}`)
    }
    if (url.protocol !== 'ws:' && url.protocol !== 'wss:') throw new UsageError('--wa-url must be a ws:// or wss:// URL')
    if (!/^[0-9a-fA-F]{64}$/.test(rootKey)) throw new UsageError('--wa-root-key must be 64 hex digits (a 32-byte public key)')
    target = { kind: 'simulator', wsUrl: waUrl, rootPublicKey: rootKey.toLowerCase() }
  }
  return { dataDir: resolve(data), port, token, target, logLevel, help: false }
}

/** The one line printed on stdout once the host is up. */
export interface StartupLine {
  ready: true
  dataDir: string
  rest: { host: string; port: number; enabled: boolean; url: string | null }
  /** the web UI (`/app/` on the REST API's port; open it with `#token=<admin token>`); null when the API is off */
  ui: string | null
  /** only on the run that generated it: shown once, like a password */
  adminToken?: string
  sandbox: { controlUrl: string; wsUrl: string } | null
}

/**
 * A pid file in the data folder, so two runners never share one database and fight over the same WhatsApp
 * sessions. A file left by a process that is gone (killed with -9, a power cut) is taken over.
 */
function lockDataDir(dataDir: string): { release(): void } {
  const path = join(dataDir, 'wadock.pid')
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(path, String(process.pid), { flag: 'wx' })
      return { release: () => rmSync(path, { force: true }) }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
      const pid = Number(readFileSync(path, 'utf8').trim())
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && isAlive(pid)) {
        throw new LockedError(`another WaDock (pid ${pid}) is using ${dataDir}`)
      }
      rmSync(path, { force: true })
    }
  }
  throw new LockedError(`cannot lock ${dataDir}`)
}

class LockedError extends Error {}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

function fail(code: number, message: string): never {
  process.stderr.write(`wadock serve: ${message}\n`)
  process.exit(code)
}

export async function main(argv = process.argv.slice(2)): Promise<void> {
  let args: ServeArgs
  try {
    args = parseServeArgs(argv)
  } catch (err) {
    if (err instanceof UsageError) fail(EXIT.usage, `${err.message}\n\n${USAGE}`)
    throw err
  }
  if (args.help) {
    process.stdout.write(`${USAGE}\n`)
    process.exit(EXIT.ok)
  }
  const logger: Logger = pino({ level: args.logLevel }, pino.destination({ fd: 2, sync: true }))

  mkdirSync(args.dataDir, { recursive: true })
  let lock: { release(): void }
  try {
    lock = lockDataDir(args.dataDir)
  } catch (err) {
    if (err instanceof LockedError) fail(EXIT.locked, err.message)
    throw err
  }

  let host: Host | undefined
  let bridge: Bridge | undefined
  let line: StartupLine
  try {
    const settings = openSettingsFile(args.dataDir)
    if (args.port !== undefined && settings.get().rest.port !== args.port) settings.update({ rest: { port: args.port } })
    const admin = ensureAdminToken(settings, args.token)
    const { rest, sandbox } = settings.get()
    // Flags choose the target for this run; without any, the `sandbox` setting does, else real WhatsApp.
    const target: WhatsAppTarget = args.target ?? (sandbox ? { kind: 'sandbox' } : { kind: 'whatsapp' })
    const adminToken = () => settings.get().adminToken ?? ''
    host = await createHost({
      dataDir: args.dataDir, logger, target,
      api: {
        enabled: rest.enabled, host: rest.host, port: rest.port, adminToken,
        // built when the API starts, after the bridge below exists
        extend: () => createWebUi({ bridge: bridge!, adminToken, rendererDir: RENDERER_DIR, logger: logger.child({ component: 'web' }) })
      }
    })
    // REST settings changed in the web UI apply at the next start: restarting the API would cut the UI's own socket.
    bridge = createBridgeHandlers(host, { settings, shell: 'web', version: packageVersion(), logger: logger.child({ component: 'bridge' }) })
    await host.start()
    const info = host.simulator?.info()
    line = {
      ready: true,
      dataDir: args.dataDir,
      rest: { host: rest.host, port: rest.port, enabled: rest.enabled, url: host.apiUrl ?? null },
      ui: host.apiUrl ? `${host.apiUrl}/app/` : null,
      ...(admin.generated ? { adminToken: admin.token } : {}),
      sandbox: info ? { controlUrl: controlUrlOf(info.wsUrl), wsUrl: info.wsUrl } : null
    }
  } catch (err) {
    await host?.stop().catch(() => undefined)
    bridge?.close()
    lock.release()
    if (err instanceof SettingsError) fail(EXIT.config, err.message)
    logger.fatal({ err }, 'startup failed')
    fail(EXIT.failure, `startup failed: ${err instanceof Error ? err.message : String(err)}`)
  }

  const running = host
  const runningBridge = bridge
  let stopping = false
  const stop = (signal: NodeJS.Signals) => {
    // A repeated signal does not cut the stop short: conf's atomic writer (atomically → when-exit) re-sends every
    // SIGINT/SIGTERM/SIGHUP to the process after its own cleanup, so one `kill` arrives twice. The deadline below
    // bounds the stop instead.
    if (stopping) {
      logger.debug({ signal }, 'signal while stopping: ignored')
      return
    }
    stopping = true
    logger.info({ signal }, 'stopping')
    const deadline = setTimeout(() => {
      logger.error('stop took longer than 20 s: exiting')
      process.exit(EXIT.failure)
    }, 20_000)
    deadline.unref()
    running.stop().then(() => {
      runningBridge?.close()
      lock.release()
      logger.info('stopped')
      process.exit(EXIT.ok)
    }, err => {
      lock.release()
      logger.error({ err }, 'stop failed')
      process.exit(EXIT.failure)
    })
  }
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, stop)
  // A stray rejection inside Baileys must not take every session down with it; it is logged.
  process.on('unhandledRejection', reason => logger.error({ err: reason }, 'unhandled rejection'))

  process.stdout.write(`${JSON.stringify(line)}\n`)
  logger.info({ dataDir: args.dataDir, sessions: running.sessions.list().length, target: args.target?.kind ?? 'settings' }, 'ready')
}

/** `ws://host:port/ws/chat` → `http://host:port/control` (the simulator's HTTP control API on the same port). */
function controlUrlOf(wsUrl: string): string {
  const url = new URL(wsUrl)
  url.protocol = url.protocol === 'wss:' ? 'https:' : 'http:'
  url.pathname = '/control'
  url.search = ''
  return url.toString()
}

const entry = process.argv[1]
if (entry && import.meta.url === pathToFileURL(realpathSync(entry)).href) {
  main().catch(err => {
    process.stderr.write(`wadock serve: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`)
    process.exit(EXIT.failure)
  })
}
