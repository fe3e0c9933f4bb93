/**
 * The `messages` table: every message a session sent or received, keyed as WhatsApp keys it (chat, id, fromMe).
 * `seq` is a per-database, ever-increasing cursor for listing and event streams.
 */
import { type Db, transactionOrPart } from './database.js'

/** proto.WebMessageInfo.Status, repeated here so the store needs no Baileys import to compare statuses. */
export const MessageStatus = { ERROR: 0, PENDING: 1, SERVER_ACK: 2, DELIVERY_ACK: 3, READ: 4, PLAYED: 5 } as const

export interface MessageRecord {
  seq: number
  sessionId: string
  chatJid: string
  messageId: string
  fromMe: boolean
  senderJid: string | null
  type: string | null
  text: string | null
  /** proto.WebMessageInfo.Status (see MessageStatus) */
  status: number | null
  /** the error code of a rejected send (e.g. '463'), kept even if a later receipt raises the status */
  ackError: string | null
  /** seconds since epoch, as WhatsApp's messageTimestamp */
  timestamp: number | null
  /** proto.WebMessageInfo.encode(message).finish() */
  raw: Buffer | null
  mediaPath: string | null
  /** seconds: when the sender edited it (`text` is the edited text) */
  editedAt: number | null
  /** seconds: when the sender deleted it for everyone (`text` is gone) */
  revokedAt: number | null
}

export interface MessageInput {
  sessionId: string
  chatJid: string
  messageId: string
  fromMe: boolean
  senderJid?: string | null
  type?: string | null
  text?: string | null
  status?: number | null
  timestamp?: number | null
  raw?: Uint8Array | null
  mediaPath?: string | null
}

export interface UpsertResult {
  /** false when the message was already stored (a redelivery): nothing new to announce */
  inserted: boolean
  seq: number
}

export interface ListMessagesQuery {
  sessionId: string
  chatJid?: string
  /** only messages with a larger seq (a cursor from an earlier page) */
  afterSeq?: number
  limit: number
}

export interface MessagesRepo {
  /**
   * Stores a message once per (session, chat, id, fromMe). A redelivered message keeps its seq; fields it brings
   * fill in or replace stored ones (a retried decryption replaces a placeholder), but its status never lowers and an
   * edited or deleted message keeps its text.
   */
  upsert(message: MessageInput): UpsertResult
  /**
   * Raises the status, never lowers it (ERROR ranks between PENDING and SERVER_ACK). Returns whether it changed.
   * `ackError` is recorded with the status it came with.
   */
  updateStatus(sessionId: string, chatJid: string, messageId: string, fromMe: boolean, status: number, ackError?: string | null): boolean
  get(sessionId: string, chatJid: string, messageId: string, fromMe?: boolean): MessageRecord | undefined
  /** The encoded WebMessageInfo for Baileys' getMessage (retry receipts), preferring our own message with that id. */
  getRaw(sessionId: string, messageId: string): Buffer | undefined
  setMediaPath(sessionId: string, chatJid: string, messageId: string, fromMe: boolean, mediaPath: string | null): boolean
  /** The sender's edit: the new text replaces the old. Returns whether the message is stored (and not deleted). */
  applyEdit(sessionId: string, chatJid: string, messageId: string, fromMe: boolean, text: string | null, editedAt: number): boolean
  /** The sender deleted it for everyone: its text is dropped. Returns whether it was stored and not deleted yet. */
  applyRevoke(sessionId: string, chatJid: string, messageId: string, fromMe: boolean, revokedAt: number): boolean
  /** Forgets every media path of the session (after its media files were cleared). */
  clearMediaPaths(sessionId: string): number
  /** Messages in seq order. */
  list(query: ListMessagesQuery): MessageRecord[]
  count(sessionId: string): number
}

interface MessageRow {
  seq: number
  session_id: string
  chat_jid: string
  message_id: string
  from_me: number
  sender_jid: string | null
  type: string | null
  text: string | null
  status: number | null
  ack_error: string | null
  timestamp: number | null
  raw: Buffer | null
  media_path: string | null
  edited_at: number | null
  revoked_at: number | null
}

function fromRow(row: MessageRow): MessageRecord {
  return {
    seq: row.seq,
    sessionId: row.session_id,
    chatJid: row.chat_jid,
    messageId: row.message_id,
    fromMe: row.from_me === 1,
    senderJid: row.sender_jid,
    type: row.type,
    text: row.text,
    status: row.status,
    ackError: row.ack_error,
    timestamp: row.timestamp,
    raw: row.raw,
    mediaPath: row.media_path,
    editedAt: row.edited_at,
    revokedAt: row.revoked_at
  }
}

/**
 * The order statuses move in: PENDING < ERROR < SERVER_ACK < DELIVERY_ACK < READ < PLAYED. ERROR is 0 in the enum
 * but comes from the server ack that would otherwise have been SERVER_ACK, so it replaces PENDING and nothing
 * else, and a later receipt still raises it. A status is only ever replaced by a higher one.
 */
const rank = (sql: string): string => `(CASE ${sql} WHEN ${MessageStatus.ERROR} THEN 1.5 ELSE ${sql} END)`
const STATUS_RAISES_SQL = `(status IS NULL OR ${rank('@status')} > ${rank('status')})`

export function createMessagesRepo(db: Db): MessagesRepo {
  const key = 'session_id = @sessionId AND chat_jid = @chatJid AND message_id = @messageId AND from_me = @fromMe'
  const stmt = {
    insert: db.prepare(`INSERT INTO messages
        (session_id, chat_jid, message_id, from_me, sender_jid, type, text, status, timestamp, raw, media_path)
      VALUES (@sessionId, @chatJid, @messageId, @fromMe, @senderJid, @type, @text, @status, @timestamp, @raw, @mediaPath)
      ON CONFLICT (session_id, chat_jid, message_id, from_me) DO NOTHING`),
    // The redelivery path: fill in what the new copy has, keep what it lacks, and apply the status rule.
    merge: db.prepare(`UPDATE messages SET
        sender_jid = COALESCE(@senderJid, sender_jid),
        type = COALESCE(@type, type),
        text = CASE WHEN edited_at IS NULL AND revoked_at IS NULL THEN COALESCE(@text, text) ELSE text END,
        timestamp = COALESCE(@timestamp, timestamp),
        raw = COALESCE(@raw, raw),
        media_path = COALESCE(@mediaPath, media_path),
        status = CASE WHEN @status IS NOT NULL AND ${STATUS_RAISES_SQL} THEN @status ELSE status END
      WHERE ${key} RETURNING seq`),
    updateStatus: db.prepare(`UPDATE messages SET status = @status, ack_error = COALESCE(@ackError, ack_error)
      WHERE ${key} AND ${STATUS_RAISES_SQL}`),
    get: db.prepare(`SELECT * FROM messages WHERE ${key}`),
    getAnyDirection: db.prepare(`SELECT * FROM messages
      WHERE session_id = @sessionId AND chat_jid = @chatJid AND message_id = @messageId ORDER BY from_me DESC LIMIT 1`),
    getRaw: db.prepare<[string, string], { raw: Buffer }>(`SELECT raw FROM messages
      WHERE session_id = ? AND message_id = ? AND raw IS NOT NULL ORDER BY from_me DESC, seq DESC LIMIT 1`),
    setMediaPath: db.prepare(`UPDATE messages SET media_path = @mediaPath WHERE ${key}`),
    applyEdit: db.prepare(`UPDATE messages SET text = @text, edited_at = @at WHERE ${key} AND revoked_at IS NULL`),
    applyRevoke: db.prepare(`UPDATE messages SET text = NULL, revoked_at = @at WHERE ${key} AND revoked_at IS NULL`),
    clearMediaPaths: db.prepare<[string]>('UPDATE messages SET media_path = NULL WHERE session_id = ? AND media_path IS NOT NULL'),
    listAll: db.prepare(`SELECT * FROM messages WHERE session_id = @sessionId AND seq > @afterSeq
      ORDER BY seq LIMIT @limit`),
    listChat: db.prepare(`SELECT * FROM messages WHERE session_id = @sessionId AND chat_jid = @chatJid AND seq > @afterSeq
      ORDER BY seq LIMIT @limit`),
    count: db.prepare<[string], { n: number }>('SELECT COUNT(*) AS n FROM messages WHERE session_id = ?')
  }

  // insert, or merge into the row that is there: one write either way
  const upsert = transactionOrPart(db, (m: MessageInput): UpsertResult => {
    const params = {
      sessionId: m.sessionId,
      chatJid: m.chatJid,
      messageId: m.messageId,
      fromMe: m.fromMe ? 1 : 0,
      senderJid: m.senderJid ?? null,
      type: m.type ?? null,
      text: m.text ?? null,
      status: m.status ?? null,
      timestamp: m.timestamp ?? null,
      raw: m.raw ? Buffer.from(m.raw.buffer, m.raw.byteOffset, m.raw.byteLength) : null,
      mediaPath: m.mediaPath ?? null
    }
    const inserted = stmt.insert.run(params)
    if (inserted.changes === 1) return { inserted: true, seq: Number(inserted.lastInsertRowid) }
    const { seq } = stmt.merge.get(params) as { seq: number }
    return { inserted: false, seq }
  })

  return {
    upsert: (message) => upsert(message),

    updateStatus(sessionId, chatJid, messageId, fromMe, status, ackError) {
      return stmt.updateStatus.run({ sessionId, chatJid, messageId, fromMe: fromMe ? 1 : 0, status, ackError: ackError ?? null })
        .changes > 0
    },

    get(sessionId, chatJid, messageId, fromMe) {
      const params = { sessionId, chatJid, messageId, fromMe: fromMe ? 1 : 0 }
      const row = (fromMe === undefined ? stmt.getAnyDirection.get(params) : stmt.get.get(params)) as MessageRow | undefined
      return row && fromRow(row)
    },

    getRaw(sessionId, messageId) {
      return stmt.getRaw.get(sessionId, messageId)?.raw
    },

    setMediaPath(sessionId, chatJid, messageId, fromMe, mediaPath) {
      return stmt.setMediaPath.run({ sessionId, chatJid, messageId, fromMe: fromMe ? 1 : 0, mediaPath }).changes > 0
    },

    applyEdit(sessionId, chatJid, messageId, fromMe, text, at) {
      return stmt.applyEdit.run({ sessionId, chatJid, messageId, fromMe: fromMe ? 1 : 0, text, at }).changes > 0
    },

    applyRevoke(sessionId, chatJid, messageId, fromMe, at) {
      return stmt.applyRevoke.run({ sessionId, chatJid, messageId, fromMe: fromMe ? 1 : 0, at }).changes > 0
    },

    clearMediaPaths(sessionId) {
      return stmt.clearMediaPaths.run(sessionId).changes
    },

    list({ sessionId, chatJid, afterSeq = 0, limit }) {
      const params = { sessionId, chatJid, afterSeq, limit }
      const rows = (chatJid === undefined ? stmt.listAll.all(params) : stmt.listChat.all(params)) as MessageRow[]
      return rows.map(fromRow)
    },

    count(sessionId) {
      return stmt.count.get(sessionId)!.n
    }
  }
}
