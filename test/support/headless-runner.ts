/**
 * The headless runner as a child process (`node --import tsx src/main/headless.ts …`, spawned asynchronously), and
 * what tests need around it: its startup line, its exit, a session linked beforehand by an in-process host on the
 * same data folder (the runner has no API to create one yet), and read-only looks at its SQLite database.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import Database from 'better-sqlite3'
import type { StartupLine } from '../../src/main/headless.js'
import type { CreateSessionInput } from '../../src/main/sessions/session-manager.js'
import type { Simulator } from '../../src/sim/index.js'
import { HostHarness } from './host-harness.js'

const ROOT = join(import.meta.dirname, '..', '..')

export interface Runner {
  child: ChildProcess
  /** the JSON line the runner prints once it is up (rejects if it exits first) */
  line: Promise<StartupLine>
  /** every stdout line after the first */
  stdout: string[]
  stderr: string[]
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
}

export function startRunner(args: string[], env: NodeJS.ProcessEnv = {}): Runner {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main/headless.ts', ...args], {
    cwd: ROOT,
    // info: tests read the runner's 'ready', 'stopping' and 'stopped' logs
    env: { ...process.env, WADOCK_LOG: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  const stdout: string[] = []
  const stderr: string[] = []
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>(resolve => {
    child.once('exit', (code, signal) => resolve({ code, signal }))
  })
  createInterface({ input: child.stderr! }).on('line', l => { stderr.push(l) })
  const lines = createInterface({ input: child.stdout! })
  const line = new Promise<StartupLine>((resolve, reject) => {
    let first = true
    lines.on('line', l => {
      if (first) {
        first = false
        try {
          resolve(JSON.parse(l) as StartupLine)
        } catch (err) {
          reject(new Error(`the runner's first line is not JSON: ${l}`, { cause: err }))
        }
      } else stdout.push(l)
    })
    void exited.then(({ code, signal }) => reject(new Error(`the runner exited (${code ?? signal}) before its startup line: ${stderr.join('\n')}`)))
  })
  line.catch(() => undefined)
  return { child, line, stdout, stderr, exited }
}

/** Sends `signal` and resolves with the exit (SIGKILL after `timeoutMs`, so a test never hangs on a child). */
export async function stopRunner(runner: Runner, signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 20_000) {
  if (runner.child.exitCode !== null || runner.child.signalCode !== null) return runner.exited
  runner.child.kill(signal)
  const timer = setTimeout(() => runner.child.kill('SIGKILL'), timeoutMs)
  try {
    return await runner.exited
  } finally {
    clearTimeout(timer)
  }
}

/** The flags and environment that point a runner at `sim`: its URL and root key, its media CA in NODE_EXTRA_CA_CERTS. */
export async function simulatorTarget(sim: Simulator, dir: string): Promise<{ args: string[]; env: NodeJS.ProcessEnv }> {
  const info = sim.info()
  const caFile = join(dir, 'simulator-ca.pem')
  await writeFile(caFile, info.caPem)
  return { args: ['--wa-url', info.wsUrl, '--wa-root-key', info.rootPublicKey], env: { NODE_EXTRA_CA_CERTS: caFile } }
}

/**
 * Creates session `id` in `dataDir` and links it to `phone` with an in-process host, then stops that host: the
 * session is left linked and marked running, so a runner started on the folder reconnects it.
 */
export async function linkSessionInProcess(sim: Simulator, dataDir: string, id: string, phone: string, create: Omit<CreateSessionInput, 'id'> = {}): Promise<void> {
  const h = await HostHarness.start(sim, dataDir)
  try {
    h.host.sessions.create({ ...create, id })
    await h.linkByQr(sim, id, phone)
  } finally {
    await h.stop()
  }
}

/** Runs `query` on a read-only connection to the runner's database (safe while the runner writes: WAL). */
export function readDb<T>(dataDir: string, query: (db: Database.Database) => T): T {
  const db = new Database(join(dataDir, 'wadock.db'), { readonly: true, fileMustExist: true })
  try {
    db.pragma('busy_timeout = 5000')
    return query(db)
  } finally {
    db.close()
  }
}

export function sessionRow(dataDir: string, id: string): { status: string; was_running: number } | undefined {
  return readDb(dataDir, db => db.prepare('SELECT status, was_running FROM sessions WHERE id = ?').get(id) as { status: string; was_running: number } | undefined)
}

/** Polls `check` every `everyMs` until it returns something truthy. */
export async function poll<T>(check: () => T | undefined | null | false, what: string, timeoutMs = 30_000, everyMs = 20): Promise<T> {
  const end = Date.now() + timeoutMs
  for (;;) {
    const value = check()
    if (value) return value
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise(resolve => setTimeout(resolve, everyMs))
  }
}

/** A port for a runner's REST API in tests, so that runners in parallel test files do not meet on the default. */
export function testPort(): number {
  return 20_000 + Math.floor(Math.random() * 20_000)
}
