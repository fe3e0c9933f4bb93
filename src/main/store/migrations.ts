/**
 * Numbered schema migrations. Each runs once, in order, inside its own transaction together with the row that
 * records it in `schema_migrations`, so a crash mid-migration leaves the database at the previous version.
 * Append new migrations at the end with the next number; never edit or renumber one that has shipped.
 */
import type { Db } from './database.js'

export interface Migration {
  version: number
  name: string
  up(db: Db): void
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'sessions, auth state, messages, chats, contacts',
    up(db) {
      db.exec(`
        CREATE TABLE sessions (
          id TEXT PRIMARY KEY,
          name TEXT,
          token TEXT UNIQUE NOT NULL,
          webhook TEXT,                       -- JSON or NULL
          status TEXT NOT NULL,
          status_reason TEXT,
          phone_number TEXT,
          push_name TEXT,
          lid TEXT,
          device_id INTEGER,
          was_running INTEGER NOT NULL DEFAULT 0,
          created_at INTEGER,                 -- ms since epoch
          updated_at INTEGER,
          last_connected_at INTEGER,
          bytes_sent INTEGER DEFAULT 0,
          bytes_received INTEGER DEFAULT 0
        );

        CREATE TABLE auth_creds (
          session_id TEXT PRIMARY KEY REFERENCES sessions(id) ON DELETE CASCADE,
          creds TEXT NOT NULL,                -- JSON with Baileys' BufferJSON encoding
          schema_version INTEGER NOT NULL
        );

        CREATE TABLE auth_keys (
          session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
          type TEXT NOT NULL,
          id TEXT NOT NULL,
          value TEXT NOT NULL,                -- JSON with Baileys' BufferJSON encoding
          PRIMARY KEY (session_id, type, id)
        ) WITHOUT ROWID;

        CREATE TABLE messages (
          seq INTEGER PRIMARY KEY AUTOINCREMENT,
          session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
          chat_jid TEXT NOT NULL,
          message_id TEXT NOT NULL,
          from_me INTEGER NOT NULL,
          sender_jid TEXT,
          type TEXT,
          text TEXT,
          status INTEGER,                     -- proto.WebMessageInfo.Status (WAMessageStatus)
          ack_error TEXT,
          timestamp INTEGER,                  -- seconds, as WhatsApp's messageTimestamp
          raw BLOB,                           -- proto.WebMessageInfo encoded
          media_path TEXT,
          UNIQUE (session_id, chat_jid, message_id, from_me)
        );
        CREATE INDEX messages_by_chat ON messages (session_id, chat_jid, seq);
        -- Paging through all of a session's messages by seq (history, event replay) without a sort.
        CREATE INDEX messages_by_session ON messages (session_id, seq);
        -- getMessage (retry receipts) looks a message up by id alone.
        CREATE INDEX messages_by_id ON messages (session_id, message_id);

        CREATE TABLE chats (
          session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
          jid TEXT NOT NULL,
          name TEXT,
          unread_count INTEGER,
          last_message_at INTEGER,
          PRIMARY KEY (session_id, jid)
        ) WITHOUT ROWID;

        CREATE TABLE contacts (
          session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
          jid TEXT NOT NULL,
          lid TEXT,
          phone_number TEXT,
          name TEXT,
          notify TEXT,
          PRIMARY KEY (session_id, jid)
        ) WITHOUT ROWID;
        CREATE INDEX contacts_by_lid ON contacts (session_id, lid);
        CREATE INDEX contacts_by_pn ON contacts (session_id, phone_number);
      `)
    }
  },
  {
    version: 2,
    name: 'webhook outbox and delivery log',
    up(db) {
      db.exec(`
        -- One row per event a session's webhook is to receive, written in the transaction of the data it describes.
        -- Delivered rows are deleted; dead ones stay (state 'dead') until replayed or the session is deleted.
        CREATE TABLE webhook_outbox (
          seq INTEGER PRIMARY KEY AUTOINCREMENT,
          session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
          event_id TEXT NOT NULL UNIQUE,
          event_type TEXT NOT NULL,
          payload TEXT NOT NULL,              -- the native event, JSON; other formats are rendered from it
          state TEXT NOT NULL DEFAULT 'pending', -- pending | dead
          attempts INTEGER NOT NULL DEFAULT 0,
          next_attempt_at INTEGER NOT NULL,   -- ms since epoch
          last_error TEXT,
          last_status INTEGER,
          created_at INTEGER NOT NULL,
          died_at INTEGER
        );
        -- The dispatcher reads the head of each session's queue in order.
        CREATE INDEX webhook_outbox_queue ON webhook_outbox (session_id, state, seq);

        CREATE TABLE webhook_deliveries (
          id INTEGER PRIMARY KEY AUTOINCREMENT,
          session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
          event_id TEXT NOT NULL,
          event_type TEXT NOT NULL,
          attempt INTEGER NOT NULL,
          status_code INTEGER,
          ok INTEGER NOT NULL,
          latency_ms REAL NOT NULL,
          error TEXT,
          outcome TEXT NOT NULL,              -- delivered | retrying | dead
          at INTEGER NOT NULL
        );
        CREATE INDEX webhook_deliveries_by_session ON webhook_deliveries (session_id, id);
      `)
    }
  },
  {
    version: 3,
    name: 'edited and revoked messages',
    up(db) {
      db.exec(`
        -- When the sender edited the message (its text is the new one) or deleted it for everyone (its text is gone);
        -- seconds, as WhatsApp's timestamps.
        ALTER TABLE messages ADD COLUMN edited_at INTEGER;
        ALTER TABLE messages ADD COLUMN revoked_at INTEGER;
      `)
    }
  }
]

/** Applies every migration newer than the database's version. Returns the versions it applied. */
export function runMigrations(db: Db, migrations: readonly Migration[] = MIGRATIONS): number[] {
  assertOrdered(migrations)
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    applied_at INTEGER NOT NULL
  )`)
  const current = currentSchemaVersion(db)
  const latest = migrations.length ? migrations[migrations.length - 1].version : 0
  if (current > latest) {
    // A newer WaDock wrote this database; running on it could corrupt data this build does not understand.
    throw new Error(`database schema version ${current} is newer than this build supports (${latest}); upgrade WaDock`)
  }
  const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)')
  const applied: number[] = []
  for (const migration of migrations) {
    if (migration.version <= current) continue
    db.transaction(() => {
      migration.up(db)
      record.run(migration.version, migration.name, Date.now())
    })()
    applied.push(migration.version)
  }
  return applied
}

export function currentSchemaVersion(db: Db): number {
  const row = db.prepare('SELECT MAX(version) AS version FROM schema_migrations').get() as { version: number | null }
  return row.version ?? 0
}

function assertOrdered(migrations: readonly Migration[]): void {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`migration #${i} has version ${m.version}, expected ${i + 1}`)
  })
}
