/**
 * Baileys' authentication state kept in SQLite, one row of credentials and one row per Signal key per session.
 * It replaces useMultiFileAuthState, which Baileys itself says is not for production: every change of keys and
 * credentials is written in a transaction, so a crash never leaves half of a Signal session update on disk.
 *
 * Key changes are held in memory (visible to every read) and written by the next transaction that stores a message
 * (transactionWithHeldKeys, used by the message ingest), by the next saveCreds, or at the latest in the next turn of the
 * event loop. Two reasons:
 * - A decrypted message's key changes reach the disk with the message itself, never before it. If they did, a crash
 *   between the two would lose the message for good: the server delivers the unacknowledged stanza again, but its
 *   key is used up, libsignal fails with "Key used already or never filled", and Baileys drops it as a duplicate.
 *   The crash test (test/main/headless/crash.test.ts) caught exactly that.
 * - A sent message's ratchet step (three or four Signal session records) is written in the transaction that stores
 *   the sent message instead of one of its own: a commit per send fewer. Baileys itself writes them only after the
 *   stanza went out, so a sent message was never durable before its key changes anyway.
 */
import {
  type AuthenticationCreds, type AuthenticationState, BufferJSON, initAuthCreds, proto, type SignalDataSet,
  type SignalDataTypeMap, type SignalKeyStore
} from '@whiskeysockets/baileys'
import { beforeClose, type Db, inTransaction, transactionOrPart } from './database.js'

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

/**
 * A key's value as encode gives it, faster for Signal sessions, three or four of which every send writes: Baileys
 * stores libsignal's SessionRecord.serialize(), plain strings and numbers, where the replacer (called for every
 * property) only costs time. Any Buffer in it would show in plain JSON as its toJSON form: then the replacer runs.
 */
const encodeKey = (type: string, value: unknown): string => {
  if (type !== 'session' || value instanceof Uint8Array) return encode(value)
  const plain = JSON.stringify(value)
  return plain.includes('"type":"Buffer"') ? encode(value) : plain
}
const decode = (json: string): any => JSON.parse(json, BufferJSON.reviver)

/**
 * A Signal session record held as Baileys set it, encoded only when it is written. Every send sets the same three
 * or four records and, under load, a dozen sends share one commit: encoded when set, each record would be encoded a
 * dozen times to be written once. A session record is libsignal's SessionRecord.serialize() (strings, numbers and
 * plain objects), which JSON always holds, so encoding it later cannot fail where encoding it at once would not.
 */
class HeldSession {
  constructor(readonly value: unknown) {}
}
/** A held key change: the encoded value, a session record to encode, or null for a deletion. */
type HeldValue = string | HeldSession | null
const encodeHeld = (type: string, value: string | HeldSession): string => typeof value === 'string' ? value : encodeKey(type, value.value)

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

  const clearKeys = (): void => { stmt.deleteKeys.run(sessionId) }

  /**
   * Held key changes. Encoded when set (session records aside, see HeldSession), so that a value that cannot be
   * stored fails its keys.set (as a direct write would) instead of every later transaction.
   */
  let held: HeldChanges = new Map()
  let flushSoon: NodeJS.Immediate | undefined
  const write = transactionOrPart(db, (changes: HeldChanges) => {
    for (const [type, values] of changes) {
      for (const [id, value] of values) {
        if (value === null) stmt.deleteKey.run(sessionId, type, id)
        else stmt.putKey.run(sessionId, type, id, encodeHeld(type, value))
      }
    }
  })
  const holder: KeyHolder = {
    // usually inside the transaction that stores a message (transactionWithHeldKeys)
    flush() {
      clearImmediate(flushSoon)
      flushSoon = undefined
      heldBy(db).delete(holder)
      if (!held.size) return undefined
      const changes = held
      held = new Map()
      try {
        write(changes)
      } catch (err) {
        holder.holdAgain(changes)
        throw err
      }
      return changes
    },
    holdAgain(changes) {
      // what was held since is newer
      for (const [type, values] of changes) {
        const pending = pendingOf(type)
        for (const [id, value] of values) if (!pending.has(id)) pending.set(id, value)
      }
      scheduleFlush()
    }
  }
  const pendingOf = (type: string): Map<string, HeldValue> => {
    let pending = held.get(type)
    if (!pending) held.set(type, pending = new Map())
    return pending
  }
  const scheduleFlush = (): void => {
    heldBy(db).add(holder)
    // the database closing first (the host stopping) writes them then
    flushBeforeClose(db)
    flushSoon ??= setImmediate(() => {
      flushSoon = undefined
      heldBy(db).delete(holder)
      // The database may be closed by now (the host stopped in this very turn), or the session deleted:
      // nothing is left to keep then.
      try {
        if (db.open && held.size) write(held)
      } catch {
        cache.clear()
      }
      held = new Map()
    })
  }
  const hold = (data: SignalDataSet): void => {
    // all encoded (session records aside, see HeldSession) before any is held: one keys.set is held (and written)
    // whole or not at all
    const changes: [string, string, HeldValue][] = []
    for (const [type, values] of Object.entries(data)) {
      for (const [id, value] of Object.entries(values ?? {})) {
        changes.push([type, id, value === null || value === undefined ? null : type === 'session' ? new HeldSession(value) : encodeKey(type, value)])
      }
    }
    for (const [type, id, value] of changes) pendingOf(type).set(id, value)
    scheduleFlush()
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
        else if (value instanceof HeldSession) read[id] = value.value as SignalDataTypeMap[T]
        else if (value !== undefined) read[id] = revive(type, decode(value))
        if (read[id] !== undefined) found[id] = read[id]
        remember(cacheKey(type, id), read[id] ?? ABSENT)
      }
      return found
    },
    set(data: SignalDataSet) {
      hold(data)
      rememberSet(data)
    },
    clear: () => {
      held.clear()
      cache.clear()
      clearKeys()
    }
  }

  const state: AuthenticationState = { creds: loadCreds(), keys }
  const putCreds = transactionOrPart(db, () => {
    const written = holder.flush()
    try {
      stmt.putCreds.run(sessionId, encode(state.creds), AUTH_SCHEMA_VERSION)
    } catch (err) {
      if (written) holder.holdAgain(written)
      throw err
    }
  })

  return {
    state,
    saveCreds() {
      // with the held keys: credentials name pre-keys (nextPreKeyId, firstUnuploadedPreKeyId) that must exist with them
      putCreds()
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
  }
}

/** Held key changes: type → id → value (see HeldValue). */
type HeldChanges = Map<string, Map<string, HeldValue>>

/** An auth state holding key changes. */
interface KeyHolder {
  /** Writes what is held (in the caller's transaction, if one is open) and returns it. */
  flush(): HeldChanges | undefined
  /** Holds `changes` again (written in a transaction that then failed), under anything held since. */
  holdAgain(changes: HeldChanges): void
}

/** Writes every held key change of `db` before it closes (registered once per database). */
const closingFlushes = new WeakSet<Db>()
function flushBeforeClose(db: Db): void {
  if (closingFlushes.has(db)) return
  closingFlushes.add(db)
  beforeClose(db, () => transactionWithHeldKeys(db, () => undefined))
}

/** The auth states of a database that hold key changes now. */
const heldByDb = new WeakMap<Db, Set<KeyHolder>>()
function heldBy(db: Db): Set<KeyHolder> {
  let set = heldByDb.get(db)
  if (!set) heldByDb.set(db, set = new Set())
  return set
}

/**
 * Runs `work` in a transaction that also writes the key changes every session of `db` holds: each transaction that
 * stores a message runs this way, so the key changes that came with it (its decryption, or its encryption for a
 * send) are written with it. When the transaction fails, the changes are held again, for the next one.
 */
export function transactionWithHeldKeys<R>(db: Db, work: () => R): R {
  const written: [KeyHolder, HeldChanges][] = []
  try {
    return inTransaction(db, () => {
      for (const holder of [...heldBy(db)]) {
        try {
          // a savepoint each: one session's key write that fails never fails the transaction storing another's
          // message (nor its own: a message stored without its key changes is safe, they stay held for the next)
          const changes = inTransaction(db, () => holder.flush())
          if (changes) written.push([holder, changes])
        } catch {
          // flush held them again; the next turn of the event loop tries once more
        }
      }
      return work()
    })
  } catch (err) {
    for (const [holder, changes] of written) holder.holdAgain(changes)
    throw err
  }
}
