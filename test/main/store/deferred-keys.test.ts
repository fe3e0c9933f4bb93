/**
 * Key changes are held in memory and written with the next stored message: a keys.set is visible to reads at once
 * but reaches the database only through transactionWithHeldKeys (the transaction that stores a message), saveCreds,
 * or the next turn of the event loop; a failed transaction holds them again; a later change of the same key replaces
 * a held one (written once); clear drops them.
 */
import { join } from 'node:path'
import type { SignalDataSet } from '@whiskeysockets/baileys'
import { afterEach, describe, expect, it } from 'vitest'
import { createSqliteAuthState, transactionWithHeldKeys } from '../../../src/main/store/auth-state.js'
import { closeDatabase, type Db, openDatabase } from '../../../src/main/store/database.js'
import { useTempDirs } from './temp-dir.js'

const tempDir = useTempDirs()
const open: Db[] = []
afterEach(() => { for (const db of open.splice(0)) closeDatabase(db) })

function setup() {
  const file = join(tempDir(), 'wadock.db')
  const db = openDatabase(file)
  const other = openDatabase(file)
  open.push(db, other)
  db.prepare("INSERT INTO sessions (id, token, status) VALUES ('s1', 't1', 'disconnected')").run()
  db.prepare("INSERT INTO sessions (id, token, status) VALUES ('s2', 't2', 'disconnected')").run()
  const onDisk = (type: string, id: string, session = 's1') => (other.prepare('SELECT value FROM auth_keys WHERE session_id = ? AND type = ? AND id = ?').get(session, type, id) as { value: string } | undefined)?.value
  const messagesOnDisk = () => (other.prepare('SELECT COUNT(*) AS n FROM messages').get() as { n: number }).n
  return { db, auth: createSqliteAuthState(db, 's1'), onDisk, messagesOnDisk }
}

const session = (n: number) => ({ session: { 'a.0': Buffer.from([n]) } }) as unknown as SignalDataSet
const nextTurn = () => new Promise(resolve => setImmediate(resolve))

describe('held key writes', () => {
  it('holds writes in memory, visible to reads, until flushed with a message', async () => {
    const { db, auth, onDisk, messagesOnDisk } = setup()
    await auth.state.keys.set({ 'pre-key': { 5: { public: Buffer.alloc(32, 1), private: Buffer.alloc(32, 2) } } })
    await nextTurn()
    expect(onDisk('pre-key', '5')).toBeDefined()

    await auth.state.keys.set(session(1))
    await auth.state.keys.set({ 'pre-key': { 5: null } })
    expect(await auth.state.keys.get('session', ['a.0'])).toEqual({ 'a.0': Buffer.from([1]) })
    expect(await auth.state.keys.get('pre-key', ['5'])).toEqual({})
    expect(onDisk('session', 'a.0')).toBeUndefined()
    expect(onDisk('pre-key', '5')).toBeDefined()
    // written in the caller's transaction, with whatever else it writes
    transactionWithHeldKeys(db, () => {
      expect(messagesOnDisk()).toBe(0)
      db.prepare("INSERT INTO messages (session_id, chat_jid, message_id, from_me) VALUES ('s1', 'c', 'm', 0)").run()
    })
    expect(onDisk('session', 'a.0')).toBeDefined()
    expect(onDisk('pre-key', '5')).toBeUndefined()
    expect(messagesOnDisk()).toBe(1)
  })

  it('a failed transaction writes nothing and holds the changes again, under newer ones', async () => {
    const { db, auth, onDisk } = setup()
    await auth.state.keys.set(session(1))
    await nextTurn()
    await auth.state.keys.set(session(2))
    await auth.state.keys.set({ session: { 'b.0': Buffer.from([5]) } } as unknown as SignalDataSet)
    expect(() => transactionWithHeldKeys(db, () => {
      throw new Error('disk full')
    })).toThrow('disk full')
    expect(JSON.parse(onDisk('session', 'a.0')!).data).toBe(Buffer.from([1]).toString('base64'))
    expect(onDisk('session', 'b.0')).toBeUndefined()
    expect(await auth.state.keys.get('session', ['a.0'])).toEqual({ 'a.0': Buffer.from([2]) })
    await auth.state.keys.set({ session: { 'b.0': Buffer.from([6]) } } as unknown as SignalDataSet)
    await nextTurn()
    expect(JSON.parse(onDisk('session', 'a.0')!).data).toBe(Buffer.from([2]).toString('base64'))
    expect(JSON.parse(onDisk('session', 'b.0')!).data).toBe(Buffer.from([6]).toString('base64'))
  })

  it('a session whose key changes cannot be written does not keep another session\'s message from being stored', async () => {
    const { db, auth, onDisk, messagesOnDisk } = setup()
    const other = createSqliteAuthState(db, 's2')
    await other.state.keys.set(session(4))
    await auth.state.keys.set(session(5))
    // s2's row is gone while its key changes are still held: writing them fails (foreign key)
    db.pragma('foreign_keys = OFF')
    db.prepare("DELETE FROM sessions WHERE id = 's2'").run()
    db.pragma('foreign_keys = ON')
    transactionWithHeldKeys(db, () => {
      db.prepare("INSERT INTO messages (session_id, chat_jid, message_id, from_me) VALUES ('s1', 'c', 'm', 0)").run()
    })
    expect(messagesOnDisk()).toBe(1)
    expect(onDisk('session', 'a.0')).toBeDefined()
    expect(onDisk('session', 'a.0', 's2')).toBeUndefined()
  })

  it('writes held changes by the next turn of the event loop when no message takes them', async () => {
    const { auth, onDisk } = setup()
    await auth.state.keys.set(session(1))
    expect(onDisk('session', 'a.0')).toBeUndefined()
    await nextTurn()
    expect(onDisk('session', 'a.0')).toBeDefined()
  })

  it('flushes every session of the database, and a later change of a key replaces the held one', async () => {
    const { db, auth, onDisk } = setup()
    const other = createSqliteAuthState(db, 's2')
    await auth.state.keys.set(session(1))
    await auth.state.keys.set(session(2))
    await other.state.keys.set(session(3))
    transactionWithHeldKeys(db, () => undefined)
    expect(JSON.parse(onDisk('session', 'a.0')!).data).toBe(Buffer.from([2]).toString('base64'))
    expect(JSON.parse(onDisk('session', 'a.0', 's2')!).data).toBe(Buffer.from([3]).toString('base64'))
    const fresh = createSqliteAuthState(db, 's1')
    expect(await fresh.state.keys.get('session', ['a.0'])).toEqual({ 'a.0': Buffer.from([2]) })
  })

  it('a Signal session record set again and again is held as set and written once, as last set', async () => {
    const { db, auth, onDisk } = setup()
    // the shape of libsignal's SessionRecord.serialize(): strings and numbers
    const record = (counter: number) => ({ _sessions: { base: { registrationId: 7, chains: { k: { counter, key: 'AAEC' } } } }, version: 'v1' })
    for (const counter of [1, 2, 3]) await auth.state.keys.set({ session: { 'a.0': record(counter) } } as unknown as SignalDataSet)
    // more keys than the read cache holds: the record is read back from what is held, not from the cache
    await auth.state.keys.set({ 'pre-key': Object.fromEntries(Array.from({ length: 300 }, (_, i) => [i, { public: Buffer.alloc(32, 1), private: Buffer.alloc(32, 2) }])) })
    expect(await auth.state.keys.get('session', ['a.0'])).toEqual({ 'a.0': record(3) })
    expect(onDisk('session', 'a.0')).toBeUndefined()
    transactionWithHeldKeys(db, () => undefined)
    expect(JSON.parse(onDisk('session', 'a.0')!)).toEqual(record(3))
    expect(await createSqliteAuthState(db, 's1').state.keys.get('session', ['a.0'])).toEqual({ 'a.0': record(3) })
  })

  it('saveCreds writes the held keys with the credentials', async () => {
    const { auth, onDisk } = setup()
    await auth.state.keys.set({ 'pre-key': { 7: { public: Buffer.alloc(32, 1), private: Buffer.alloc(32, 2) } } })
    auth.state.creds.nextPreKeyId = 8
    auth.saveCreds()
    expect(onDisk('pre-key', '7')).toBeDefined()
  })

  it('clear drops held changes', async () => {
    const { auth, onDisk } = setup()
    await auth.state.keys.set(session(3))
    auth.clear()
    await nextTurn()
    expect(onDisk('session', 'a.0')).toBeUndefined()
    expect(await auth.state.keys.get('session', ['a.0'])).toEqual({})
  })
})
