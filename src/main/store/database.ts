/** Opens WaDock's single SQLite database (better-sqlite3) with the settings every caller relies on. */
import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import Database from 'better-sqlite3'
import { runMigrations } from './migrations.js'

export type Db = Database.Database

/** How long a statement waits for another connection's lock before failing with SQLITE_BUSY. */
const BUSY_TIMEOUT_MS = 5_000

/** Opens (creating if needed) and migrates the database at `file`; ':memory:' gives a private in-memory one. */
export function openDatabase(file: string): Db {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true })
  const db = new Database(file)
  try {
    // WAL: readers never block the writer, and a commit is one append instead of a journal rewrite.
    db.pragma('journal_mode = WAL')
    // NORMAL is durable across application crashes in WAL mode; only an OS crash can lose the last commits.
    db.pragma('synchronous = NORMAL')
    // The ON DELETE CASCADEs that delete a session's data need foreign keys. better-sqlite3's bundled SQLite turns
    // them on by default, plain SQLite does not: say so explicitly rather than depend on a build option.
    db.pragma('foreign_keys = ON')
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`)
    runMigrations(db)
  } catch (err) {
    db.close()
    throw err
  }
  return db
}

/**
 * `fn` as a transaction of its own, or as part of the caller's when one is open already. better-sqlite3 would nest a
 * savepoint there: two more statements on every call (every stored message), which these callers do not need, as
 * each either writes with a single statement or lets its failure end the caller's transaction as a whole.
 */
export function transactionOrPart<A extends unknown[], R>(db: Db, fn: (...args: A) => R): (...args: A) => R {
  const own = db.transaction(fn)
  return (...args) => (db.inTransaction ? fn(...args) : own(...args))
}

const runners = new WeakMap<Db, (work: () => unknown) => unknown>()

/**
 * Runs `work` in a transaction of `db`, or in a savepoint when one is open already, as `db.transaction(work)()`
 * would. better-sqlite3 builds five wrapper functions for every db.transaction(): one runner per database spares
 * that on every stored message, where it cost about as much as the BEGIN and COMMIT themselves.
 */
export function inTransaction<R>(db: Db, work: () => R): R {
  let run = runners.get(db)
  if (!run) runners.set(db, (run = db.transaction((w: () => unknown) => w())))
  return run(work) as R
}

/** What runs when a database is closed through closeDatabase, just before it closes. */
const closing = new WeakMap<Db, (() => void)[]>()

/** Runs `work` when `db` is closed through closeDatabase, before it closes (writing what is held in memory). */
export function beforeClose(db: Db, work: () => void): void {
  closing.set(db, [...(closing.get(db) ?? []), work])
}

/** Closes `db` after the work registered with beforeClose (a failure there does not keep it open: it is thrown after). */
export function closeDatabase(db: Db): void {
  if (!db.open) return
  const work = closing.get(db) ?? []
  closing.delete(db)
  let failure: unknown
  for (const run of work) {
    try { run() } catch (err) { failure ??= err }
  }
  db.close()
  if (failure !== undefined) throw failure
}
