/** The `sessions` table: one row per WhatsApp account hosted by WaDock. */
import type { Db } from './database.js'

export interface SessionRecord {
  id: string
  name: string | null
  /** the per-session API token; unique across sessions */
  token: string
  /** the session's webhook settings as stored (any JSON value); validated by whoever reads it */
  webhook: unknown
  status: string
  statusReason: string | null
  phoneNumber: string | null
  pushName: string | null
  lid: string | null
  deviceId: number | null
  /** whether the session was running when WaDock last stopped: only those reconnect at start */
  wasRunning: boolean
  /** ms since epoch */
  createdAt: number
  updatedAt: number
  lastConnectedAt: number | null
  bytesSent: number
  bytesReceived: number
}

export interface NewSession {
  id: string
  token: string
  name?: string | null
  status?: string
  webhook?: unknown
}

/** Fields `update` may change; `id` and `createdAt` never change, and `updatedAt` is set by `update` itself. */
export type SessionPatch = Partial<Omit<SessionRecord, 'id' | 'createdAt' | 'updatedAt'>>

interface SessionRow {
  id: string
  name: string | null
  token: string
  webhook: string | null
  status: string
  status_reason: string | null
  phone_number: string | null
  push_name: string | null
  lid: string | null
  device_id: number | null
  was_running: number
  created_at: number
  updated_at: number
  last_connected_at: number | null
  bytes_sent: number | null
  bytes_received: number | null
}

/** Patch field → column, and how its value is stored. The whitelist is also what keeps `update`'s SQL safe. */
const COLUMNS: { [K in keyof SessionPatch]-?: [column: string, toDb: (v: SessionPatch[K]) => unknown] } = {
  name: ['name', (v) => v ?? null],
  token: ['token', (v) => v],
  webhook: ['webhook', (v) => encodeJson(v)],
  status: ['status', (v) => v],
  statusReason: ['status_reason', (v) => v ?? null],
  phoneNumber: ['phone_number', (v) => v ?? null],
  pushName: ['push_name', (v) => v ?? null],
  lid: ['lid', (v) => v ?? null],
  deviceId: ['device_id', (v) => v ?? null],
  wasRunning: ['was_running', (v) => (v ? 1 : 0)],
  lastConnectedAt: ['last_connected_at', (v) => v ?? null],
  bytesSent: ['bytes_sent', (v) => v ?? 0],
  bytesReceived: ['bytes_received', (v) => v ?? 0]
}

const encodeJson = (value: unknown): string | null => (value === undefined || value === null ? null : JSON.stringify(value))

function fromRow(row: SessionRow): SessionRecord {
  return {
    id: row.id,
    name: row.name,
    token: row.token,
    webhook: row.webhook === null ? null : JSON.parse(row.webhook),
    status: row.status,
    statusReason: row.status_reason,
    phoneNumber: row.phone_number,
    pushName: row.push_name,
    lid: row.lid,
    deviceId: row.device_id,
    wasRunning: row.was_running === 1,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    lastConnectedAt: row.last_connected_at,
    bytesSent: row.bytes_sent ?? 0,
    bytesReceived: row.bytes_received ?? 0
  }
}

export interface SessionsRepo {
  /** Inserts a new session (status defaults to 'disconnected'). Throws if the id or token is taken. */
  create(input: NewSession): SessionRecord
  get(id: string): SessionRecord | undefined
  findByToken(token: string): SessionRecord | undefined
  /** All sessions, oldest first. */
  list(): SessionRecord[]
  /** Changes the given fields (undefined ones are left alone) and bumps updatedAt; undefined if no such session. */
  update(id: string, patch: SessionPatch): SessionRecord | undefined
  /** Deletes the session row; its auth state, messages, chats and contacts go with it (ON DELETE CASCADE). */
  delete(id: string): boolean
  setWasRunning(id: string, running: boolean): void
  /** Adds to the traffic counters shown in storage statistics. */
  addBytes(id: string, sent: number, received: number): void
  /** The session's row number: a positive integer fixed for the row's life (dialects whose ids are numeric show it). */
  numberOf(id: string): number | undefined
}

export function createSessionsRepo(db: Db): SessionsRepo {
  const stmt = {
    insert: db.prepare(`INSERT INTO sessions (id, name, token, webhook, status, created_at, updated_at)
      VALUES (@id, @name, @token, @webhook, @status, @now, @now)`),
    get: db.prepare<[string], SessionRow>('SELECT * FROM sessions WHERE id = ?'),
    byToken: db.prepare<[string], SessionRow>('SELECT * FROM sessions WHERE token = ?'),
    list: db.prepare<[], SessionRow>('SELECT * FROM sessions ORDER BY created_at, id'),
    delete: db.prepare<[string]>('DELETE FROM sessions WHERE id = ?'),
    setWasRunning: db.prepare<[number, number, string]>('UPDATE sessions SET was_running = ?, updated_at = ? WHERE id = ?'),
    // Traffic counters are bumped often; no updated_at, which tracks changes a user would care about.
    addBytes: db.prepare<[number, number, string]>(
      'UPDATE sessions SET bytes_sent = bytes_sent + ?, bytes_received = bytes_received + ? WHERE id = ?'),
    numberOf: db.prepare<[string], { n: number }>('SELECT rowid AS n FROM sessions WHERE id = ?')
  }
  // One prepared UPDATE per distinct set of patched fields, built from the COLUMNS whitelist only.
  const updates = new Map<string, ReturnType<Db['prepare']>>()

  const get = (id: string): SessionRecord | undefined => {
    const row = stmt.get.get(id)
    return row && fromRow(row)
  }

  return {
    create(input) {
      stmt.insert.run({
        id: input.id,
        name: input.name ?? null,
        token: input.token,
        webhook: encodeJson(input.webhook),
        status: input.status ?? 'disconnected',
        now: Date.now()
      })
      return get(input.id)!
    },

    get,

    findByToken(token) {
      const row = stmt.byToken.get(token)
      return row && fromRow(row)
    },

    list() {
      return stmt.list.all().map(fromRow)
    },

    update(id, patch) {
      const keys = (Object.keys(patch) as (keyof SessionPatch)[])
        .filter((k) => patch[k] !== undefined && k in COLUMNS)
        .sort()
      if (keys.length === 0) return get(id)
      const cacheKey = keys.join(',')
      let update = updates.get(cacheKey)
      if (!update) {
        const sets = keys.map((k) => `${COLUMNS[k][0]} = @${k}`).join(', ')
        update = db.prepare(`UPDATE sessions SET ${sets}, updated_at = @updatedAt WHERE id = @id`)
        updates.set(cacheKey, update)
      }
      const params: Record<string, unknown> = { id, updatedAt: Date.now() }
      for (const k of keys) params[k] = (COLUMNS[k][1] as (v: unknown) => unknown)(patch[k])
      const result = update.run(params)
      return result.changes ? get(id) : undefined
    },

    delete(id) {
      return stmt.delete.run(id).changes > 0
    },

    setWasRunning(id, running) {
      stmt.setWasRunning.run(running ? 1 : 0, Date.now(), id)
    },

    addBytes(id, sent, received) {
      stmt.addBytes.run(sent, received, id)
    },

    numberOf(id) {
      return stmt.numberOf.get(id)?.n
    }
  }
}
