/**
 * Checkpoints from the worker thread: the main connection's own automatic checkpoint is only a safety net while the
 * worker runs (so no commit on the event loop copies the log into the database file), yet the log does reach the
 * file; and should the worker end, or be stopped, the main connection checkpoints as SQLite does by default.
 */
import { statSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { startCheckpointer } from '../../../src/main/store/checkpointer.js'
import { closeDatabase, DATABASE_FILE, openDatabase, openStore, type Store } from '../../../src/main/store/index.js'
import { useTempDirs } from './temp-dir.js'

const tempDir = useTempDirs()
const stores: Store[] = []
afterEach(() => { for (const s of stores.splice(0)) s.close() })

const until = async (check: () => boolean, timeoutMs: number): Promise<void> => {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out')
    await new Promise(resolve => setTimeout(resolve, 20))
  }
}

describe('checkpoints off the main thread', () => {
  it('copies the log into the database file from the worker, never from a commit on the main connection', async () => {
    const dataDir = tempDir()
    const store = openStore({ dataDir })
    stores.push(store)
    const file = join(dataDir, DATABASE_FILE)
    expect(store.db.pragma('wal_autocheckpoint', { simple: true })).toBe(16_384)

    store.sessions.create({ id: 's', token: 'token-s' })
    const before = statSync(file).size
    // about 1500 pages of log: past SQLite's default automatic checkpoint (1000 pages), far below the safety net
    const insert = store.db.prepare("INSERT INTO auth_keys (session_id, type, id, value) VALUES ('s', 'session', ?, ?)")
    store.db.transaction(() => { for (let i = 0; i < 1500; i++) insert.run(`k${i}`, 'x'.repeat(3500)) })()
    // the commit itself copied nothing into the file
    expect(statSync(file).size).toBe(before)
    // the worker does, within a few of its turns
    await until(() => statSync(file).size > before + 4_000_000, 10_000)
  })

  it('gives checkpointing back to the main connection when the worker ends or is stopped', async () => {
    const file = join(tempDir(), DATABASE_FILE)
    const db = openDatabase(file)
    try {
      const checkpointer = startCheckpointer(db, file)!
      expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(16_384)
      await checkpointer.thread.terminate()
      await until(() => db.pragma('wal_autocheckpoint', { simple: true }) === 1000, 5_000)

      const again = startCheckpointer(db, file)!
      expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(16_384)
      again.stop()
      expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(1000)
    } finally {
      closeDatabase(db)
    }
  })

  it('has nothing to do for an in-memory database', () => {
    const db = openDatabase(':memory:')
    expect(startCheckpointer(db, ':memory:')).toBeUndefined()
    closeDatabase(db)
  })
})
