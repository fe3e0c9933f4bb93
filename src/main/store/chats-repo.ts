/** The `chats` table: one row per conversation a session knows, for lists and storage statistics. */
import type { Db } from './database.js'

export interface ChatRecord {
  sessionId: string
  jid: string
  name: string | null
  unreadCount: number | null
  /** ms since epoch */
  lastMessageAt: number | null
}

/** Fields left undefined (or null) keep their stored value, so partial chat updates from Baileys can be applied. */
export interface ChatInput {
  sessionId: string
  jid: string
  name?: string | null
  unreadCount?: number | null
  lastMessageAt?: number | null
}

export interface ChatsRepo {
  /** Inserts or merges; lastMessageAt only moves forward. */
  upsert(chat: ChatInput): void
  get(sessionId: string, jid: string): ChatRecord | undefined
  /** Most recently active first, then by jid. */
  list(sessionId: string, options?: { limit?: number; offset?: number }): ChatRecord[]
  count(sessionId: string): number
  delete(sessionId: string, jid: string): boolean
}

interface ChatRow { session_id: string; jid: string; name: string | null; unread_count: number | null; last_message_at: number | null }

const fromRow = (row: ChatRow): ChatRecord => ({
  sessionId: row.session_id,
  jid: row.jid,
  name: row.name,
  unreadCount: row.unread_count,
  lastMessageAt: row.last_message_at
})

export function createChatsRepo(db: Db): ChatsRepo {
  const stmt = {
    upsert: db.prepare(`INSERT INTO chats (session_id, jid, name, unread_count, last_message_at)
      VALUES (@sessionId, @jid, @name, @unreadCount, @lastMessageAt)
      ON CONFLICT (session_id, jid) DO UPDATE SET
        name = COALESCE(excluded.name, name),
        unread_count = COALESCE(excluded.unread_count, unread_count),
        last_message_at = MAX(COALESCE(excluded.last_message_at, last_message_at), COALESCE(last_message_at, excluded.last_message_at))`),
    get: db.prepare<[string, string], ChatRow>('SELECT * FROM chats WHERE session_id = ? AND jid = ?'),
    list: db.prepare<[string, number, number], ChatRow>(`SELECT * FROM chats WHERE session_id = ?
      ORDER BY last_message_at IS NULL, last_message_at DESC, jid LIMIT ? OFFSET ?`),
    count: db.prepare<[string], { n: number }>('SELECT COUNT(*) AS n FROM chats WHERE session_id = ?'),
    delete: db.prepare<[string, string]>('DELETE FROM chats WHERE session_id = ? AND jid = ?')
  }

  return {
    upsert(chat) {
      stmt.upsert.run({
        sessionId: chat.sessionId,
        jid: chat.jid,
        name: chat.name ?? null,
        unreadCount: chat.unreadCount ?? null,
        lastMessageAt: chat.lastMessageAt ?? null
      })
    },
    get(sessionId, jid) {
      const row = stmt.get.get(sessionId, jid)
      return row && fromRow(row)
    },
    list(sessionId, { limit = -1, offset = 0 } = {}) {
      // LIMIT -1 is SQLite's "no limit".
      return stmt.list.all(sessionId, limit, offset).map(fromRow)
    },
    count(sessionId) {
      return stmt.count.get(sessionId)!.n
    },
    delete(sessionId, jid) {
      return stmt.delete.run(sessionId, jid).changes > 0
    }
  }
}
