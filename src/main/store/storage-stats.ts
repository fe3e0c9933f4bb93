/**
 * Per-session storage statistics in the shape of seed 001's `status.aspx` "storage" and "stats": measured from
 * the files really on disk and the rows really in the database, never from counters that could drift.
 */
import type { Dirent } from 'node:fs'
import { lstat, readdir } from 'node:fs/promises'
import { join } from 'node:path'
import type { Db } from './database.js'
import { createMediaFiles, MEDIA_FOLDERS, type MediaFolder } from './media-files.js'

export interface FolderStats {
  name: MediaFolder
  bytes: number
  files: number
}

export interface StorageStats {
  /** the session folder's name, i.e. the session id (as seed 001 reports it) */
  name: string
  /** every file under the session folder, including any outside the three sub-folders */
  bytes: number
  files: number
  subs: FolderStats[]
  contacts: number
  chats: number
  bytesSent: number
  bytesReceived: number
}

interface Tally { bytes: number; files: number }

/** Lists a folder; a missing folder is an empty one. */
async function entriesOf(dir: string): Promise<Dirent[]> {
  try {
    return await readdir(dir, { withFileTypes: true })
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return []
    throw err
  }
}

/** Sums regular files below `dir`, recursively; symlinks are neither followed nor counted. */
async function tally(dir: string): Promise<Tally> {
  const total: Tally = { bytes: 0, files: 0 }
  await Promise.all((await entriesOf(dir)).map(async (entry) => {
    const part = await entryTally(dir, entry)
    if (part) {
      total.bytes += part.bytes
      total.files += part.files
    }
  }))
  return total
}

/** A folder's tally, a regular file's size, or nothing for anything else (symlinks, sockets…). */
async function entryTally(dir: string, entry: Dirent): Promise<Tally | undefined> {
  const path = join(dir, entry.name)
  if (entry.isDirectory()) return tally(path)
  if (!entry.isFile()) return undefined
  // A file deleted between readdir and lstat simply no longer counts.
  const info = await lstat(path).catch(() => undefined)
  return info?.isFile() ? { bytes: info.size, files: 1 } : undefined
}

/** Statistics of one session; a session without rows or files reports zeros. */
export async function computeStorageStats(db: Db, dataDir: string, sessionId: string): Promise<StorageStats> {
  const sessionDir = createMediaFiles(dataDir).sessionDir(sessionId)
  // One walk: each top-level entry is tallied once and counted in the total and, if it is one, in its sub-folder.
  const total: Tally = { bytes: 0, files: 0 }
  const subs = new Map<string, Tally>(MEDIA_FOLDERS.map((name) => [name, { bytes: 0, files: 0 }]))
  await Promise.all((await entriesOf(sessionDir)).map(async (entry) => {
    const part = await entryTally(sessionDir, entry)
    if (!part) return
    total.bytes += part.bytes
    total.files += part.files
    if (entry.isDirectory() && subs.has(entry.name)) subs.set(entry.name, part)
  }))
  const row = db.prepare<[string, string, string], { contacts: number; chats: number; sent: number | null; received: number | null }>(`
    SELECT (SELECT COUNT(*) FROM contacts WHERE session_id = ?) AS contacts,
           (SELECT COUNT(*) FROM chats WHERE session_id = ?) AS chats,
           s.bytes_sent AS sent, s.bytes_received AS received
    FROM (SELECT 1) LEFT JOIN sessions s ON s.id = ?`).get(sessionId, sessionId, sessionId)!
  return {
    name: sessionId,
    bytes: total.bytes,
    files: total.files,
    subs: MEDIA_FOLDERS.map((name) => ({ name, bytes: subs.get(name)!.bytes, files: subs.get(name)!.files })),
    contacts: row.contacts,
    chats: row.chats,
    bytesSent: row.sent ?? 0,
    bytesReceived: row.received ?? 0
  }
}
