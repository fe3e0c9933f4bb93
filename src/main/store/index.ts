/**
 * The store: WaDock's one SQLite database (`<dataDir>/wadock.db`) with its repositories, plus the sessions'
 * files under `<dataDir>/sessions`. Everything the rest of the main process persists goes through here.
 */
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import type { Logger } from 'pino'
import { createSqliteAuthState, type SqliteAuthState, transactionWithHeldKeys } from './auth-state.js'
import { startCheckpointer } from './checkpointer.js'
import { createGroupCommit, type GroupCommit } from './group-commit.js'
import { createChatsRepo, type ChatsRepo } from './chats-repo.js'
import { createContactsRepo, type ContactsRepo } from './contacts-repo.js'
import { closeDatabase, type Db, openDatabase } from './database.js'
import { createMediaFiles, type MediaFiles } from './media-files.js'
import { createMessagesRepo, type MessagesRepo } from './messages-repo.js'
import { createSessionsRepo, type SessionsRepo } from './sessions-repo.js'
import { computeStorageStats, type StorageStats } from './storage-stats.js'
import { createWebhookOutboxRepo, type WebhookOutboxRepo } from './webhook-outbox-repo.js'

export const DATABASE_FILE = 'wadock.db'

export interface StoreOptions {
  /** the data folder: Electron's userData, or the headless `--data` folder */
  dataDir: string
  /** where the store reports what it recovers from by itself (a failed background checkpoint) */
  logger?: Logger
}

export interface Store {
  readonly dataDir: string
  readonly db: Db
  /**
   * Writes that may wait for the end of this turn of the event loop (a sent message), in one transaction with the
   * others and the held Signal key changes; each settles once committed.
   */
  readonly groupCommit: GroupCommit
  readonly sessions: SessionsRepo
  readonly messages: MessagesRepo
  readonly chats: ChatsRepo
  readonly contacts: ContactsRepo
  readonly media: MediaFiles
  /** the webhook outbox and delivery log */
  readonly webhooks: WebhookOutboxRepo
  /** A fresh Baileys auth state for the session (its sessions row must exist: the tables reference it). */
  authState(sessionId: string): SqliteAuthState
  storageStats(sessionId: string): Promise<StorageStats>
  /** Drops the session's cached media, profile and thumbnail files and the messages' paths to them. */
  clearMedia(sessionId: string): Promise<void>
  /**
   * Removes the session row, and with it (ON DELETE CASCADE) its credentials, keys, messages, chats and contacts,
   * then its folder. Returns whether a row existed; the folder is removed either way.
   */
  deleteSession(sessionId: string): Promise<boolean>
  close(): void
}

export function openStore({ dataDir, logger }: StoreOptions): Store {
  mkdirSync(dataDir, { recursive: true })
  const file = join(dataDir, DATABASE_FILE)
  const db = openDatabase(file)
  const checkpointer = startCheckpointer(db, file, logger)
  const groupCommit = createGroupCommit(db, run => transactionWithHeldKeys(db, run))
  const messages = createMessagesRepo(db)
  const sessions = createSessionsRepo(db)
  const media = createMediaFiles(dataDir)
  return {
    dataDir,
    db,
    groupCommit,
    sessions,
    messages,
    chats: createChatsRepo(db),
    contacts: createContactsRepo(db),
    media,
    webhooks: createWebhookOutboxRepo(db),
    authState: (sessionId) => createSqliteAuthState(db, sessionId),
    storageStats: (sessionId) => computeStorageStats(db, dataDir, sessionId),
    async clearMedia(sessionId) {
      await media.clearMedia(sessionId)
      messages.clearMediaPaths(sessionId)
    },
    async deleteSession(sessionId) {
      // Validate the id as a folder name before touching the database, so a bad id fails without side effects.
      media.sessionDir(sessionId)
      const existed = sessions.delete(sessionId)
      await media.removeSessionDir(sessionId)
      return existed
    },
    close() {
      if (db.open) groupCommit.flush()
      checkpointer?.stop()
      closeDatabase(db)
    }
  }
}

export {
  AUTH_SCHEMA_VERSION, AuthSchemaVersionError, createSqliteAuthState, type SqliteAuthState, transactionWithHeldKeys
} from './auth-state.js'
export type { ChatInput, ChatRecord, ChatsRepo } from './chats-repo.js'
export type { ContactInput, ContactRecord, ContactsRepo } from './contacts-repo.js'
export { closeDatabase, type Db, inTransaction, openDatabase } from './database.js'
export { isSafeFileName, MEDIA_FOLDERS, type MediaFiles, type MediaFolder, UnsafePathError } from './media-files.js'
export {
  type ListMessagesQuery, type MessageInput, type MessageRecord, type MessagesRepo, MessageStatus, type UpsertResult
} from './messages-repo.js'
export { currentSchemaVersion, type Migration, MIGRATIONS } from './migrations.js'
export type { NewSession, SessionPatch, SessionRecord, SessionsRepo } from './sessions-repo.js'
export type { FolderStats, StorageStats } from './storage-stats.js'
export { DELIVERY_LOG_KEPT, type OutboxRow, type WebhookOutboxRepo } from './webhook-outbox-repo.js'
