import { join } from 'node:path'
import { addTransactionCapability, initAuthCreds, proto, type SignalDataSet } from '@whiskeysockets/baileys'
import libsignal from 'libsignal'
import pino from 'pino'
import { afterEach, describe, expect, it } from 'vitest'
import {
  AUTH_SCHEMA_VERSION, AuthSchemaVersionError, createSqliteAuthState
} from '../../../src/main/store/auth-state.js'
import { closeDatabase, type Db, openDatabase } from '../../../src/main/store/database.js'
import { useTempDirs } from './temp-dir.js'

const tempDir = useTempDirs()
const open: Db[] = []
afterEach(() => { for (const db of open.splice(0)) closeDatabase(db) })

/** A database file with sessions s1 and s2, reopened by the returned function. */
function setup() {
  const file = join(tempDir(), 'wadock.db')
  const reopen = (): Db => {
    const db = openDatabase(file)
    open.push(db)
    return db
  }
  const db = reopen()
  const add = db.prepare("INSERT INTO sessions (id, token, status) VALUES (?, ?, 'disconnected')")
  add.run('s1', 'token-1')
  add.run('s2', 'token-2')
  return { db, reopen }
}

const nextTurn = () => new Promise(resolve => setImmediate(resolve))
const countRows = (db: Db, table: string, sessionId: string): number =>
  (db.prepare(`SELECT COUNT(*) AS n FROM ${table} WHERE session_id = ?`).get(sessionId) as { n: number }).n

describe('createSqliteAuthState', () => {
  it('never writes credentials before saveCreds', () => {
    const { db } = setup()
    const auth = createSqliteAuthState(db, 's1')
    expect(auth.state.creds.registered).toBe(false)
    expect(auth.state.creds.noiseKey.private).toHaveLength(32)
    expect(auth.hasCredentials()).toBe(false)
    expect(countRows(db, 'auth_creds', 's1')).toBe(0)
    auth.saveCreds()
    expect(auth.hasCredentials()).toBe(true)
    expect(db.prepare('SELECT schema_version FROM auth_creds WHERE session_id = ?').get('s1')).toEqual({ schema_version: AUTH_SCHEMA_VERSION })
  })

  it('initAuthCreds → saveCreds → reopen gives identical credentials, Buffers included', () => {
    const { db, reopen } = setup()
    const auth = createSqliteAuthState(db, 's1')
    const original = auth.state.creds
    expect(original).not.toEqual(initAuthCreds()) // fresh keys every time: equality below is not trivial
    auth.saveCreds()
    closeDatabase(db)

    const loaded = createSqliteAuthState(reopen(), 's1').state.creds
    expect(loaded).toEqual(original)
    expect(Buffer.isBuffer(loaded.noiseKey.private)).toBe(true)
    expect(Buffer.isBuffer(loaded.signedPreKey.signature)).toBe(true)
    expect(Buffer.compare(loaded.signedIdentityKey.public, original.signedIdentityKey.public)).toBe(0)
  })

  it('saves what Baileys mutates in place (creds.update merges into state.creds)', () => {
    const { db } = setup()
    const auth = createSqliteAuthState(db, 's1')
    // what the socket does on 'creds.update' after pairing
    Object.assign(auth.state.creds, {
      me: { id: '15551234567:3@s.whatsapp.net', lid: '123456789:3@lid', name: 'Ann' },
      registered: true,
      routingInfo: Buffer.from([8, 1, 8, 2]),
      account: { details: new Uint8Array([1, 2, 3]), accountSignatureKey: new Uint8Array([4, 5]) },
      signalIdentities: [{ identifier: { name: '15551234567', deviceId: 3 }, identifierKey: new Uint8Array([5, 6, 7]) }]
    })
    auth.saveCreds()
    const loaded = createSqliteAuthState(db, 's1').state.creds
    expect(loaded.me).toEqual({ id: '15551234567:3@s.whatsapp.net', lid: '123456789:3@lid', name: 'Ann' })
    expect(loaded.routingInfo).toEqual(Buffer.from([8, 1, 8, 2]))
    expect(Buffer.from(loaded.account!.details!)).toEqual(Buffer.from([1, 2, 3]))
    expect(Buffer.from(loaded.signalIdentities![0].identifierKey)).toEqual(Buffer.from([5, 6, 7]))
  })

  it('round-trips every key type, returning only ids that exist', async () => {
    const { db, reopen } = setup()
    const { keys } = createSqliteAuthState(db, 's1').state
    const data: SignalDataSet = {
      'pre-key': { 1: { public: Buffer.alloc(32, 1), private: Buffer.alloc(32, 2) } },
      session: { '15551234567.0': Buffer.from('session-record') },
      'sender-key': { 'group@g.us::15551234567::0': new Uint8Array([9, 9, 9]) },
      'sender-key-memory': { 'group@g.us': { '15551234567:0@s.whatsapp.net': true } },
      'app-state-sync-key': { AAAAAQ: { keyData: Buffer.alloc(32, 7), fingerprint: { rawId: 5, currentIndex: 1, deviceIndexes: [0, 1] }, timestamp: 1700000000 } },
      'app-state-sync-version': { regular: { version: 3, hash: Buffer.alloc(128, 3), indexValueMap: { abc: { valueMac: Buffer.from([1, 2]) } } } },
      'lid-mapping': { '15551234567': '123456789', '123456789_reverse': '15551234567' },
      'device-list': { '15551234567': ['0', '3', '12'] },
      tctoken: { '15551234567@s.whatsapp.net': { token: Buffer.from('tc-token'), timestamp: '1700000000', senderTimestamp: 1700000001 } },
      'identity-key': { '15551234567.0': new Uint8Array(33).fill(5) }
    }
    await keys.set(data)
    closeDatabase(db)

    const reopened = createSqliteAuthState(reopen(), 's1').state.keys
    expect(await reopened.get('pre-key', ['1', '2'])).toEqual({ 1: { public: Buffer.alloc(32, 1), private: Buffer.alloc(32, 2) } })
    expect(await reopened.get('session', ['15551234567.0'])).toEqual({ '15551234567.0': Buffer.from('session-record') })
    expect(Buffer.from((await reopened.get('sender-key', ['group@g.us::15551234567::0']))['group@g.us::15551234567::0']))
      .toEqual(Buffer.from([9, 9, 9]))
    expect(await reopened.get('sender-key-memory', ['group@g.us'])).toEqual(data['sender-key-memory'])
    expect(await reopened.get('app-state-sync-version', ['regular'])).toEqual(data['app-state-sync-version'])
    expect(await reopened.get('lid-mapping', ['15551234567', '123456789_reverse', 'nobody']))
      .toEqual({ '15551234567': '123456789', '123456789_reverse': '15551234567' })
    expect(await reopened.get('device-list', ['15551234567'])).toEqual({ '15551234567': ['0', '3', '12'] })
    expect(await reopened.get('tctoken', ['15551234567@s.whatsapp.net'])).toEqual(data.tctoken)
    expect(Buffer.from((await reopened.get('identity-key', ['15551234567.0']))['15551234567.0'])).toEqual(Buffer.alloc(33, 5))
    expect(await reopened.get('session', [])).toEqual({})
    expect(await reopened.get('session', ['missing'])).toEqual({})

    // app-state-sync-key comes back as the proto class, exactly as useMultiFileAuthState revives it
    const { AAAAAQ: syncKey } = await reopened.get('app-state-sync-key', ['AAAAAQ'])
    expect(syncKey).toBeInstanceOf(proto.Message.AppStateSyncKeyData)
    expect(Buffer.from(syncKey.keyData!)).toEqual(Buffer.alloc(32, 7))
    expect(syncKey.fingerprint?.rawId).toBe(5)
    expect(syncKey.fingerprint?.deviceIndexes).toEqual([0, 1])
    expect(Number(syncKey.timestamp)).toBe(1700000000)
  })

  it('stores Signal sessions as libsignal serializes them, and one with a Buffer inside as well', async () => {
    const { db, reopen } = setup()
    const { keys } = createSqliteAuthState(db, 's1').state
    const b64 = (n: number, size = 32) => Buffer.alloc(size, n).toString('base64')
    // the shape libsignal's SessionRecord.serialize() gives (its type declarations say Uint8Array)
    const serialized = libsignal.SessionRecord.deserialize({
      version: 'v1',
      _sessions: {
        [b64(5, 33)]: {
          registrationId: 42,
          currentRatchet: { ephemeralKeyPair: { pubKey: b64(1, 33), privKey: b64(2) }, lastRemoteEphemeralKey: b64(3, 33), previousCounter: 0, rootKey: b64(4) },
          indexInfo: { baseKey: b64(5, 33), baseKeyType: 2, closed: -1, used: 1, created: 1, remoteIdentityKey: b64(6, 33) },
          _chains: { [b64(7, 33)]: { chainKey: { counter: 3, key: b64(8) }, chainType: 1, messageKeys: { 1: b64(9) } } }
        }
      }
    } as never).serialize()
    await keys.set({ session: { 'a.0': serialized, 'b.0': { nested: { key: Buffer.from([1, 2, 3]) } } } } as unknown as SignalDataSet)
    closeDatabase(db)
    const reopened = createSqliteAuthState(reopen(), 's1').state.keys
    const found = await reopened.get('session', ['a.0', 'b.0'])
    expect(found['a.0']).toEqual(serialized)
    expect(libsignal.SessionRecord.deserialize(found['a.0']).haveOpenSession()).toBe(true)
    expect(found['b.0']).toEqual({ nested: { key: Buffer.from([1, 2, 3]) } })
  })

  it('works under the transaction wrapper the Baileys socket puts around it', async () => {
    const { db } = setup()
    const { keys } = createSqliteAuthState(db, 's1').state
    const calls: SignalDataSet[] = []
    const spy = { get: keys.get, set: (data: SignalDataSet) => { calls.push(data); return keys.set(data) } }
    const wrapped = addTransactionCapability(spy, pino({ level: 'silent' }), { maxCommitRetries: 1, delayBetweenTriesMs: 1 })
    await wrapped.transaction(async () => {
      await wrapped.set({ session: { a: Buffer.from('1') } })
      await wrapped.set({ 'lid-mapping': { '1': '2' }, 'device-list': { '1': ['0'] } })
      expect(await wrapped.get('session', ['a'])).toEqual({ a: Buffer.from('1') }) // read-your-writes inside
    }, 'test')
    expect(calls).toHaveLength(1) // the commit is a single keys.set, hence a single SQLite transaction
    expect(await keys.get('device-list', ['1'])).toEqual({ 1: ['0'] })
  })

  it('keys of one session are invisible to another', async () => {
    const { db } = setup()
    await createSqliteAuthState(db, 's1').state.keys.set({ session: { a: Buffer.from('1') } })
    expect(await createSqliteAuthState(db, 's2').state.keys.get('session', ['a'])).toEqual({})
  })

  it('null and undefined delete; a value is replaced in place', async () => {
    const { db } = setup()
    const { keys } = createSqliteAuthState(db, 's1').state
    await keys.set({ session: { a: Buffer.from('1'), b: Buffer.from('2'), c: Buffer.from('3') } })
    await keys.set({ session: { a: null, b: undefined as unknown as null, c: Buffer.from('33') } })
    expect(await keys.get('session', ['a', 'b', 'c'])).toEqual({ c: Buffer.from('33') })
    await nextTurn() // key changes are held until then at the latest (deferred-keys.test.ts)
    expect(countRows(db, 'auth_keys', 's1')).toBe(1)
  })

  it('writes all types of one keys.set together: a failure mid-way writes nothing', async () => {
    const { db } = setup()
    const { keys } = createSqliteAuthState(db, 's1').state
    await keys.set({ session: { old: Buffer.from('keep me') }, 'pre-key': { 7: { public: Buffer.alloc(1), private: Buffer.alloc(1) } } })

    const poison = { boom: 1n } // JSON.stringify throws on a BigInt: the last value of the call fails
    const failing = {
      session: { new1: Buffer.from('n1'), old: null },
      'lid-mapping': { '111': '222' },
      'pre-key': { 7: null, 8: { public: Buffer.alloc(1), private: Buffer.alloc(1) } },
      'device-list': { '111': ['0'] },
      tctoken: { 'x@s.whatsapp.net': poison }
    } as unknown as SignalDataSet
    expect(() => keys.set(failing)).toThrow(/BigInt/)

    expect(await keys.get('session', ['new1', 'old'])).toEqual({ old: Buffer.from('keep me') })
    expect(await keys.get('lid-mapping', ['111'])).toEqual({})
    expect(Object.keys(await keys.get('pre-key', ['7', '8']))).toEqual(['7'])
    expect(await keys.get('device-list', ['111'])).toEqual({})
    await nextTurn()
    expect(countRows(db, 'auth_keys', 's1')).toBe(2)
  })

  it('clear() deletes this session’s creds and keys only, and starts over with fresh unsaved creds', async () => {
    const { db } = setup()
    const one = createSqliteAuthState(db, 's1')
    const two = createSqliteAuthState(db, 's2')
    for (const auth of [one, two]) {
      auth.saveCreds()
      await auth.state.keys.set({ session: { a: Buffer.from('1') }, 'lid-mapping': { '1': '2' } })
    }
    await nextTurn()
    const oldNoise = one.state.creds.noiseKey.private
    one.clear()
    expect(one.hasCredentials()).toBe(false)
    expect(countRows(db, 'auth_keys', 's1')).toBe(0)
    expect(Buffer.compare(one.state.creds.noiseKey.private, oldNoise)).not.toBe(0)
    expect(two.hasCredentials()).toBe(true)
    expect(countRows(db, 'auth_keys', 's2')).toBe(2)
    expect(createSqliteAuthState(db, 's1').hasCredentials()).toBe(false)
  })

  it('refuses credentials written with a newer schema version', () => {
    const { db } = setup()
    createSqliteAuthState(db, 's1').saveCreds()
    db.prepare('UPDATE auth_creds SET schema_version = ? WHERE session_id = ?').run(AUTH_SCHEMA_VERSION + 1, 's1')
    expect(() => createSqliteAuthState(db, 's1')).toThrow(AuthSchemaVersionError)
    expect(() => createSqliteAuthState(db, 's1')).toThrow(/schema version 2/)
  })

  it('needs the session row (the auth tables reference sessions)', () => {
    const { db } = setup()
    expect(() => createSqliteAuthState(db, 'nope').saveCreds()).toThrow(/FOREIGN KEY/)
  })

  it('gets hundreds of ids in one call quickly', async () => {
    const { db } = setup()
    const { keys } = createSqliteAuthState(db, 's1').state
    const preKeys: Record<string, { public: Buffer; private: Buffer }> = {}
    for (let i = 1; i <= 2000; i++) preKeys[i] = { public: Buffer.alloc(33, i % 256), private: Buffer.alloc(32, i % 256) }
    await keys.set({ 'pre-key': preKeys })
    const ids = Array.from({ length: 800 }, (_, i) => String(i * 3 + 1)) // some past 2000: not found
    const started = performance.now()
    const found = await keys.get('pre-key', ids)
    const elapsed = performance.now() - started
    expect(Object.keys(found)).toHaveLength(667)
    expect(found['1999']).toEqual(preKeys['1999'])
    expect(elapsed).toBeLessThan(250) // measured at a few ms; the bound only catches an accidental full scan
  })
})
