import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { closeDatabase, openDatabase, transactionOrPart } from '../../../src/main/store/database.js'
import { currentSchemaVersion, type Migration, MIGRATIONS, runMigrations } from '../../../src/main/store/migrations.js'
import { useTempDirs } from './temp-dir.js'

const tempDir = useTempDirs()

const tables = (db: ReturnType<typeof openDatabase>): string[] =>
  (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as { name: string }[])
    .map((r) => r.name)

describe('openDatabase', () => {
  it('creates the schema with WAL, NORMAL sync, foreign keys and a busy timeout', () => {
    const db = openDatabase(join(tempDir(), 'nested', 'wadock.db'))
    try {
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal')
      expect(db.pragma('synchronous', { simple: true })).toBe(1) // NORMAL
      expect(db.pragma('foreign_keys', { simple: true })).toBe(1)
      expect(db.pragma('busy_timeout', { simple: true })).toBeGreaterThan(0)
      expect(tables(db)).toEqual(['auth_creds', 'auth_keys', 'chats', 'contacts', 'messages', 'schema_migrations', 'sessions', 'webhook_deliveries', 'webhook_outbox'])
      expect(currentSchemaVersion(db)).toBe(MIGRATIONS.length)
    } finally {
      closeDatabase(db)
    }
    closeDatabase(db) // closing twice is harmless
  })

  it('is idempotent on reopen: migrations run once and data survives', () => {
    const file = join(tempDir(), 'wadock.db')
    const first = openDatabase(file)
    first.prepare("INSERT INTO sessions (id, token, status) VALUES ('s1', 't1', 'disconnected')").run()
    const applied = first.prepare('SELECT version, applied_at FROM schema_migrations').all()
    closeDatabase(first)

    const again = openDatabase(file)
    try {
      expect(again.prepare('SELECT version, applied_at FROM schema_migrations').all()).toEqual(applied)
      expect(runMigrations(again)).toEqual([])
      expect(again.prepare('SELECT id FROM sessions').all()).toEqual([{ id: 's1' }])
    } finally {
      closeDatabase(again)
    }
  })

  it('accepts :memory:', () => {
    const db = openDatabase(':memory:')
    expect(currentSchemaVersion(db)).toBe(MIGRATIONS.length)
    closeDatabase(db)
  })

  it('applies later migrations on reopen, each atomically with its record', () => {
    const file = join(tempDir(), 'wadock.db')
    closeDatabase(openDatabase(file))
    const db = openDatabase(file)
    try {
      const next = MIGRATIONS.length + 1
      const good: Migration = { version: next, name: 'outbox', up: (d) => d.exec('CREATE TABLE outbox (id INTEGER PRIMARY KEY)') }
      const bad: Migration = {
        version: next + 1,
        name: 'broken',
        up: (d) => { d.exec('CREATE TABLE half (id INTEGER)'); d.exec('THIS IS NOT SQL') }
      }
      expect(() => runMigrations(db, [...MIGRATIONS, good, bad])).toThrow()
      // the good one stays applied; the broken one left neither its table nor its record
      expect(currentSchemaVersion(db)).toBe(next)
      expect(tables(db)).toContain('outbox')
      expect(tables(db)).not.toContain('half')
    } finally {
      closeDatabase(db)
    }
  })

  it('refuses a database written by a newer schema, and misnumbered migrations', () => {
    const file = join(tempDir(), 'wadock.db')
    const db = openDatabase(file)
    db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(99, 'future', Date.now())
    closeDatabase(db)
    expect(() => openDatabase(file)).toThrow(/schema version 99 is newer/)

    const mem = openDatabase(':memory:')
    expect(() => runMigrations(mem, [{ version: 2, name: 'gap', up: () => {} }])).toThrow(/expected 1/)
    closeDatabase(mem)
  })
})

describe('transactionOrPart', () => {
  it('is a transaction of its own alone, and part of the caller\'s inside one', () => {
    const db = openDatabase(join(tempDir(), 'wadock.db'))
    try {
      db.exec('CREATE TABLE t (v INTEGER)')
      const insert = db.prepare('INSERT INTO t (v) VALUES (?)')
      const count = () => (db.prepare('SELECT COUNT(*) AS n FROM t').get() as { n: number }).n
      const writeTwice = transactionOrPart(db, (v: number, fail: boolean) => {
        insert.run(v)
        if (fail) throw new Error('half way')
        insert.run(v)
      })
      // alone: all or nothing
      expect(() => writeTwice(1, true)).toThrow('half way')
      expect(count()).toBe(0)
      writeTwice(2, false)
      expect(count()).toBe(2)
      // inside a transaction: its writes are the caller's, committed or rolled back with it
      const outer = db.transaction((fail: boolean) => {
        insert.run(3)
        writeTwice(4, fail)
        expect(db.inTransaction).toBe(true)
      })
      expect(() => outer(true)).toThrow('half way')
      expect(count()).toBe(2)
      outer(false)
      expect(count()).toBe(5)
    } finally {
      closeDatabase(db)
    }
  })
})
