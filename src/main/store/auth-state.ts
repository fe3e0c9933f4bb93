/**
 * Baileys' authentication state kept in SQLite, one row of credentials and one row per Signal key per session.
 * It replaces useMultiFileAuthState, which Baileys itself says is not for production: here every keys.set is one
 * transaction, so a crash never leaves half of a Signal session update on disk.
 *
 * Key changes made while an incoming message is being decrypted (inside withDeferredKeyWrites) are held in memory,
 * visible to every read, and written together with the message itself (flushDeferredKeys, called in the transaction
 * that stores it; see sessions/early-store.ts), or at the latest in the next turn of the event loop. A crash can then
 * never leave a message's key used up on disk with the message itself not stored: the redelivered stanza would
 * fail to decrypt ("Key used already") and Baileys would drop it as a duplicate.
 */
import {
  type AuthenticationCreds, type AuthenticationState, BufferJSON, initAuthCreds, proto, type SignalDataSet,
  type SignalDataTypeMap, type SignalKeyStore
} from '@whiskeysockets/baileys'
import { type Db, transactionOrPart } from './database.js'

/**
 * Version of the stored format (creds JSON and key values). Baileys 8 is announced to change the auth format; a
 * row written by a newer WaDock is refused instead of being misread.
 */
export const AUTH_SCHEMA_VERSION = 1

export interface SqliteAuthState {
  /** Pass to makeWASocket's `auth`. `state.creds` is the object Baileys mutates; saveCreds persists it. */
  state: AuthenticationState
  /** Writes `state.creds` as they are now. Register once per socket on 'creds.update'. */
  saveCreds(): void
  /** Whether credentials were ever saved for this session (and not cleared since). */
  hasCredentials(): boolean
  /**
   * Deletes the session's credentials and keys in one transaction and puts fresh, unsaved credentials in
   * `state.creds`. The socket that used the old ones must be gone (listeners removed) before this is called, or
   * its next creds.update would write them back.
   */
  clear(): void
  /** Writes the key changes held back by withDeferredKeyWrites (inside the caller's transaction, if any). */
  flushDeferredKeys(): void
}

/**
 * Decryptions under way. A count rather than an AsyncLocalStorage: that would switch on promise hooks for the whole
 * process, a cost every promise of every session pays (about 5 % of the CPU under load). The price of the count: a
 * write by other work whose async steps interleave with a decryption's is held as well, until the same flush, at
 * most one turn of the event loop later.
 */
let decrypting = 0

/**
 * Runs `work` (a decryption) so that the keys.set calls it causes, however deep in its async chain, are held in
 * memory until flushDeferredKeys or the next turn of the event loop instead of being written at once.
 */
export async function withDeferredKeyWrites<T>(work: () => Promise<T>): Promise<T> {
  decrypting++
  try {
    return await work()
  } finally {
    decrypting--
  }
}

type KeyType = keyof SignalDataTypeMap

/** How many decoded keys a session keeps in memory (a Signal session record is about 2 KB decoded). */
const KEY_CACHE_ENTRIES = 256
/** Cached for a key known not to exist. */
const ABSENT = Symbol('absent')

export class AuthSchemaVersionError extends Error {
  constructor(readonly sessionId: string, readonly found: number) {
    super(`auth state of session ${sessionId} has schema version ${found}; this build reads version ${AUTH_SCHEMA_VERSION}. ` +
      'It was written by a newer WaDock: upgrade instead of linking again.')
    this.name = 'AuthSchemaVersionError'
  }
}

const encode = (value: unknown): string => JSON.stringify(value, BufferJSON.replacer)
const decode = (json: string): any => JSON.parse(json, BufferJSON.reviver)

export function createSqliteAuthState(db: Db, sessionId: string): SqliteAuthState {
  const stmt = {
    getCreds: db.prepare<[string], { creds: string; schema_version: number }>(
      'SELECT creds, schema_version FROM auth_creds WHERE session_id = ?'),
    hasCreds: db.prepare<[string], { one: number }>('SELECT 1 AS one FROM auth_creds WHERE session_id = ?'),
    putCreds: db.prepare<[string, string, number]>(
      `INSERT INTO auth_creds (session_id, creds, schema_version) VALUES (?, ?, ?)
       ON CONFLICT (session_id) DO UPDATE SET creds = excluded.creds, schema_version = excluded.schema_version`),
    deleteCreds: db.prepare<[string]>('DELETE FROM auth_creds WHERE session_id = ?'),
    // One statement for any number of ids: the ids travel as one JSON array and json_each turns them into rows,
    // so a login's hundreds of pre-key and session lookups cost one query, not hundreds.
    getKeys: db.prepare<[string, string, string], { id: string; value: string }>(
      `SELECT id, value FROM auth_keys
       WHERE session_id = ? AND type = ? AND id IN (SELECT value FROM json_each(?))`),
    putKey: db.prepare<[string, string, string, string]>(
      `INSERT INTO auth_keys (session_id, type, id, value) VALUES (?, ?, ?, ?)
       ON CONFLICT (session_id, type, id) DO UPDATE SET value = excluded.value`),
    deleteKey: db.prepare<[string, string, string]>('DELETE FROM auth_keys WHERE session_id = ? AND type = ? AND id = ?'),
    deleteKeys: db.prepare<[string]>('DELETE FROM auth_keys WHERE session_id = ?')
  }

  const loadCreds = (): AuthenticationCreds => {
    const row = stmt.getCreds.get(sessionId)
    // Never write fresh credentials here: a session that has not connected yet has nothing on disk.
    if (!row) return initAuthCreds()
    if (row.schema_version !== AUTH_SCHEMA_VERSION) throw new AuthSchemaVersionError(sessionId, row.schema_version)
    return decode(row.creds) as AuthenticationCreds
  }

  const setKeys = db.transaction((data: SignalDataSet) => {
    for (const [type, values] of Object.entries(data)) {
      if (!values) continue
      for (const [id, value] of Object.entries(values)) {
        if (value === null || value === undefined) stmt.deleteKey.run(sessionId, type, id)
        else stmt.putKey.run(sessionId, type, id, encode(value))
      }
    }
  })

  const clearKeys = (): void => { stmt.deleteKeys.run(sessionId) }

  /** Held key changes: type → id → encoded value, or null for a deletion. */
  const held = new Map<string, Map<string, string | null>>()
  let flushSoon: NodeJS.Immediate | undefined
  // usually inside the transaction that stores the decrypted message (flushDeferredKeys)
  const flushHeld = transactionOrPart(db, () => {
    for (const [type, values] of held) {
      for (const [id, value] of values) {
        if (value === null) stmt.deleteKey.run(sessionId, type, id)
        else stmt.putKey.run(sessionId, type, id, value)
      }
    }
    held.clear()
  })
  const flushDeferredKeys = (): void => {
    clearImmediate(flushSoon)
    flushSoon = undefined
    if (!held.size) return
    try {
      flushHeld()
    } catch (err) {
      cache.clear() // what it held was never written: read the keys back from the database
      throw err
    }
  }
  const revive = (type: KeyType, value: any): any =>
    // Same revival as Baileys' useMultiFileAuthState: app-state code expects a proto instance here.
    type === 'app-state-sync-key' ? proto.Message.AppStateSyncKeyData.fromObject(value) : value

  // Decoded keys recently read or written, newest last. A send reads the same Signal sessions, device lists and LID
  // mappings again and again; this spares the query and the JSON revival (like Baileys' makeCacheableSignalKeyStore,
  // but coherent by construction: this object is the only writer of its session's keys). Absent keys are cached too.
  const cache = new Map<string, unknown>()
  const cacheKey = (type: string, id: string) => `${type}\u0000${id}`
  const remember = (key: string, value: unknown): void => {
    cache.delete(key)
    cache.set(key, value)
    if (cache.size > KEY_CACHE_ENTRIES) cache.delete(cache.keys().next().value!)
  }
  const rememberSet = (data: SignalDataSet): void => {
    for (const [type, values] of Object.entries(data)) {
      for (const [id, value] of Object.entries(values ?? {})) {
        // app-state keys are revived into a proto on read; what is set may be a plain object, so read it back then
        if (type === 'app-state-sync-key' && value) cache.delete(cacheKey(type, id))
        else remember(cacheKey(type, id), value ?? ABSENT)
      }
    }
  }

  const keys: SignalKeyStore = {
    get<T extends KeyType>(type: T, ids: string[]) {
      const found: { [id: string]: SignalDataTypeMap[T] } = {}
      const missing: string[] = []
      for (const id of ids) {
        const key = cacheKey(type, id)
        if (!cache.has(key)) missing.push(id)
        else {
          const value = cache.get(key)
          remember(key, value)
          if (value !== ABSENT) found[id] = value as SignalDataTypeMap[T]
        }
      }
      if (missing.length === 0) return found
      const read: { [id: string]: SignalDataTypeMap[T] } = {}
      for (const row of stmt.getKeys.iterate(sessionId, type, JSON.stringify(missing))) read[row.id] = revive(type, decode(row.value))
      const pending = held.get(type)
      for (const id of missing) {
        const value = pending?.has(id) ? pending.get(id) : undefined
        if (value === null) delete read[id]
        else if (value !== undefined) read[id] = revive(type, decode(value))
        if (read[id] !== undefined) found[id] = read[id]
        remember(cacheKey(type, id), read[id] ?? ABSENT)
      }
      return found
    },
    set(data: SignalDataSet) {
      if (decrypting > 0) {
        for (const [type, values] of Object.entries(data)) {
          if (!values) continue
          let pending = held.get(type)
          if (!pending) held.set(type, pending = new Map())
          for (const [id, value] of Object.entries(values)) pending.set(id, value === null || value === undefined ? null : encode(value))
        }
        rememberSet(data)
        flushSoon ??= setImmediate(() => {
          flushSoon = undefined
          // The database may be closed by now (the host stopped in this very turn), or the session deleted:
          // nothing is left to keep then.
          try {
            if (db.open && held.size) flushHeld()
          } catch {
            held.clear()
            cache.clear()
          }
        })
        return
      }
      // written now: any held value of the same key is older than this one
      for (const [type, values] of Object.entries(data)) for (const id of Object.keys(values ?? {})) held.get(type)?.delete(id)
      setKeys(data)
      rememberSet(data)
    },
    clear: () => {
      held.clear()
      cache.clear()
      clearKeys()
    }
  }

  const state: AuthenticationState = { creds: loadCreds(), keys }

  return {
    state,
    saveCreds() {
      stmt.putCreds.run(sessionId, encode(state.creds), AUTH_SCHEMA_VERSION)
    },
    hasCredentials() {
      return stmt.hasCreds.get(sessionId) !== undefined
    },
    clear() {
      held.clear()
      cache.clear()
      db.transaction(() => {
        stmt.deleteCreds.run(sessionId)
        clearKeys()
      })()
      state.creds = initAuthCreds()
    },
    flushDeferredKeys
  }
}
