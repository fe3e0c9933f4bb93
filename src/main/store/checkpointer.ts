/**
 * Copies the write-ahead log back into the database file from a worker thread with its own connection, so that the
 * main thread never does it.
 *
 * In WAL mode with synchronous=NORMAL a commit only appends to the log; the fsyncs happen at checkpoints, which
 * SQLite by default runs inside whichever commit pushes the log past 1000 pages. On the main thread that is a stall
 * of the event loop, every hundred or so stored messages, for as long as the disk takes to sync (measured: about
 * half of what a one-message commit costs in wall time, spread over all of them). A PASSIVE checkpoint from another
 * connection neither blocks nor is blocked by the writer, so the main connection's own checkpointing is turned down
 * to a safety net for a log that grows far beyond its usual size (the worker gone, or a long unbroken burst).
 */
import { createRequire } from 'node:module'
import { Worker } from 'node:worker_threads'
import type { Logger } from 'pino'
import type { Db } from './database.js'

/** How often the worker checkpoints; with nothing new in the log a checkpoint costs next to nothing. */
const CHECKPOINT_INTERVAL_MS = 250
/** The main connection's own automatic checkpoint, kept as a safety net: pages (4 KiB each), so 64 MiB. */
const SAFETY_NET_PAGES = 16_384
/** SQLite's default automatic checkpoint, restored when the worker is not there. */
const DEFAULT_AUTOCHECKPOINT_PAGES = 1000

/** Runs in the worker. Plain JavaScript started from source text: no loader or bundler entry is needed for it. */
const WORKER_SOURCE = String.raw`
const { parentPort, workerData } = require('node:worker_threads')
const Database = require(workerData.driver)
const db = new Database(workerData.file, { fileMustExist: true })
db.pragma('busy_timeout = 1000')
const checkpoint = () => {
  try { db.pragma('wal_checkpoint(PASSIVE)') } catch (err) { parentPort.postMessage({ error: String(err && err.message || err) }) }
}
const timer = setInterval(checkpoint, workerData.intervalMs)
parentPort.on('message', message => {
  if (message !== 'stop') return
  clearInterval(timer)
  db.close()
  parentPort.close()
})
`

export interface Checkpointer {
  /** the worker thread: should it end by itself, the main connection checkpoints as SQLite does by default */
  readonly thread: Worker
  /** Stops the worker (its connection closes) and hands checkpointing back to SQLite's default. */
  stop(): void
}

/** Starts checkpointing `file` (the database `db` has open) off the main thread; undefined for an in-memory one. */
export function startCheckpointer(db: Db, file: string, logger?: Logger): Checkpointer | undefined {
  if (file === ':memory:') return undefined
  const restoreDefault = () => { if (db.open) db.pragma(`wal_autocheckpoint = ${DEFAULT_AUTOCHECKPOINT_PAGES}`) }
  let worker: Worker
  try {
    const driver = createRequire(import.meta.url).resolve('better-sqlite3')
    worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { driver, file, intervalMs: CHECKPOINT_INTERVAL_MS } })
  } catch (err) {
    logger?.warn({ err: err instanceof Error ? err.message : String(err) }, 'no checkpoint worker: the main thread checkpoints')
    return undefined
  }
  // never what keeps the process alive
  worker.unref()
  db.pragma(`wal_autocheckpoint = ${SAFETY_NET_PAGES}`)
  let stopped = false
  worker.on('message', (message: { error?: string }) => {
    if (message.error) logger?.warn({ err: message.error }, 'checkpoint failed')
  })
  worker.on('error', (err) => {
    logger?.warn({ err: err.message }, 'checkpoint worker failed: the main thread checkpoints')
  })
  worker.on('exit', () => {
    if (!stopped) restoreDefault()
  })
  return {
    thread: worker,
    stop() {
      if (stopped) return
      stopped = true
      worker.postMessage('stop')
      restoreDefault()
    }
  }
}
