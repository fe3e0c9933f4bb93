/**
 * Key changes made while decrypting are held back and written with the message they decrypted: inside
 * withDeferredKeyWrites a keys.set is visible to reads at once but reaches the database only on flushDeferredKeys
 * (in the caller's transaction) or in the next turn of the event loop; a write outside supersedes a held one; and the
 * session's Signal repository runs its decryptions that way.
 */
import { join } from 'node:path'
import type { SignalDataSet } from '@whiskeysockets/baileys'
import { afterEach, describe, expect, it } from 'vitest'
import { withDeferredDecryption } from '../../../src/main/sessions/signal-repository.js'
import { createSqliteAuthState, withDeferredKeyWrites } from '../../../src/main/store/auth-state.js'
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
  const onDisk = (type: string, id: string) => (other.prepare('SELECT value FROM auth_keys WHERE session_id = ? AND type = ? AND id = ?').get('s1', type, id) as { value: string } | undefined)?.value
  return { db, auth: createSqliteAuthState(db, 's1'), onDisk }
}

const session = (n: number) => ({ session: { 'a.0': Buffer.from([n]) } }) as unknown as SignalDataSet
const nextTurn = () => new Promise(resolve => setImmediate(resolve))

describe('deferred key writes', () => {
  it('holds a decryption\'s writes in memory, visible to reads, until flushed with the message', async () => {
    const { db, auth, onDisk } = setup()
    await auth.state.keys.set({ 'pre-key': { 5: { public: Buffer.alloc(32, 1), private: Buffer.alloc(32, 2) } } })
    await withDeferredKeyWrites(async () => {
      await auth.state.keys.set(session(1))
      await auth.state.keys.set({ 'pre-key': { 5: null } })
    })
    expect(await auth.state.keys.get('session', ['a.0'])).toEqual({ 'a.0': Buffer.from([1]) })
    expect(await auth.state.keys.get('pre-key', ['5'])).toEqual({})
    expect(onDisk('session', 'a.0')).toBeUndefined()
    expect(onDisk('pre-key', '5')).toBeDefined()
    // written in the caller's transaction, with whatever else it writes
    db.transaction(() => {
      auth.flushDeferredKeys()
      db.prepare("INSERT INTO messages (session_id, chat_jid, message_id, from_me) VALUES ('s1', 'c', 'm', 0)").run()
    })()
    expect(onDisk('session', 'a.0')).toBeDefined()
    expect(onDisk('pre-key', '5')).toBeUndefined()
  })

  it('writes held changes by the next turn of the event loop when no message takes them', async () => {
    const { auth, onDisk } = setup()
    await withDeferredKeyWrites(async () => { await auth.state.keys.set(session(1)) })
    expect(onDisk('session', 'a.0')).toBeUndefined()
    await nextTurn()
    expect(onDisk('session', 'a.0')).toBeDefined()
  })

  it('a write outside a decryption supersedes a held one; clear drops held ones', async () => {
    const { auth, onDisk } = setup()
    await withDeferredKeyWrites(async () => { await auth.state.keys.set(session(1)) })
    await auth.state.keys.set(session(2))
    await nextTurn()
    expect(await auth.state.keys.get('session', ['a.0'])).toEqual({ 'a.0': Buffer.from([2]) })
    const fresh = createSqliteAuthState(open[0], 's1')
    expect(await fresh.state.keys.get('session', ['a.0'])).toEqual({ 'a.0': Buffer.from([2]) })

    await withDeferredKeyWrites(async () => { await auth.state.keys.set(session(3)) })
    auth.clear()
    await nextTurn()
    expect(onDisk('session', 'a.0')).toBeUndefined()
  })

  it('a write from other work interleaving with a decryption is held too, and written by the next turn', async () => {
    const { auth, onDisk } = setup()
    let finish!: () => void
    const decryption = withDeferredKeyWrites(async () => {
      await auth.state.keys.set(session(1))
      await new Promise<void>(resolve => { finish = resolve })
    })
    // a send's encryption, while the decryption waits
    await auth.state.keys.set({ session: { 'b.0': Buffer.from([2]) } } as unknown as SignalDataSet)
    expect(await auth.state.keys.get('session', ['b.0'])).toEqual({ 'b.0': Buffer.from([2]) })
    expect(onDisk('session', 'b.0')).toBeUndefined()
    finish()
    await decryption
    await nextTurn()
    expect(onDisk('session', 'a.0')).toBeDefined()
    expect(onDisk('session', 'b.0')).toBeDefined()
    // with no decryption under way, writes go straight to disk again
    await auth.state.keys.set({ session: { 'c.0': Buffer.from([3]) } } as unknown as SignalDataSet)
    expect(onDisk('session', 'c.0')).toBeDefined()
  })

  it('the session\'s Signal repository decrypts under deferred writes', async () => {
    const { auth, onDisk } = setup()
    const repository = withDeferredDecryption({
      decryptMessage: async () => { await auth.state.keys.set(session(7)); return new Uint8Array([1]) },
      decryptGroupMessage: async () => { await auth.state.keys.set({ 'sender-key': { g: Buffer.from([8]) } } as unknown as SignalDataSet); return new Uint8Array([2]) },
      encryptMessage: async () => { await auth.state.keys.set(session(9)); return { type: 'msg', ciphertext: new Uint8Array() } }
    } as never)
    expect(await repository.decryptMessage({ jid: 'a@s.whatsapp.net', type: 'msg', ciphertext: new Uint8Array() })).toEqual(new Uint8Array([1]))
    expect(await repository.decryptGroupMessage({ group: 'g@g.us', authorJid: 'a@s.whatsapp.net', msg: new Uint8Array() })).toEqual(new Uint8Array([2]))
    expect(onDisk('session', 'a.0')).toBeUndefined()
    expect(onDisk('sender-key', 'g')).toBeUndefined()
    // anything else (an encryption for a send) is written at once
    await repository.encryptMessage({ jid: 'a@s.whatsapp.net', data: new Uint8Array() })
    expect(onDisk('session', 'a.0')).toBeDefined()
  })
})
