/**
 * A session's files on disk: `<dataDir>/sessions/<id>/{media,profile,thumb}`. Every name that becomes part of a
 * path (session id, file name) must pass isSafeFileName, so nothing can be written or deleted outside the folder.
 */
import { randomBytes } from 'node:crypto'
import { mkdir, open, readdir, rename, rm } from 'node:fs/promises'
import { join } from 'node:path'

export const MEDIA_FOLDERS = ['media', 'profile', 'thumb'] as const
export type MediaFolder = (typeof MEDIA_FOLDERS)[number]

/**
 * Letters, digits, '.', '_' and '-', starting with a letter or digit (so never '.', '..' or a hidden file), at most
 * 200 characters. WhatsApp message ids and JID users fit; separators, NUL and '..' traversal cannot.
 */
const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/

export function isSafeFileName(name: string): boolean {
  return SAFE_NAME.test(name)
}

export class UnsafePathError extends Error {
  constructor(what: string, value: string) {
    super(`unsafe ${what} ${JSON.stringify(value)}: use letters, digits, '.', '_' and '-' only`)
    this.name = 'UnsafePathError'
  }
}

export interface MediaFiles {
  /** `<dataDir>/sessions` */
  readonly root: string
  sessionDir(sessionId: string): string
  folderPath(sessionId: string, folder: MediaFolder): string
  filePath(sessionId: string, folder: MediaFolder, name: string): string
  /** Creates the session folder and its three sub-folders (no-op when they exist). */
  ensureSessionDirs(sessionId: string): Promise<void>
  /**
   * Writes a file atomically (temp file, fsync, rename) and returns its absolute path. `bytes` may be a stream (a
   * media download), written as it arrives; if it fails, nothing is left behind.
   */
  writeMedia(sessionId: string, folder: MediaFolder, name: string, bytes: Uint8Array | AsyncIterable<Uint8Array>): Promise<string>
  /** Removes the whole session folder. */
  removeSessionDir(sessionId: string): Promise<void>
  /** Deletes everything inside media, profile and thumb; the folders themselves stay. */
  clearMedia(sessionId: string): Promise<void>
}

export function createMediaFiles(dataDir: string): MediaFiles {
  const root = join(dataDir, 'sessions')

  const sessionDir = (sessionId: string): string => {
    if (!isSafeFileName(sessionId)) throw new UnsafePathError('session id', sessionId)
    return join(root, sessionId)
  }
  const folderPath = (sessionId: string, folder: MediaFolder): string => {
    if (!MEDIA_FOLDERS.includes(folder)) throw new UnsafePathError('folder', folder)
    return join(sessionDir(sessionId), folder)
  }
  const filePath = (sessionId: string, folder: MediaFolder, name: string): string => {
    if (!isSafeFileName(name)) throw new UnsafePathError('file name', name)
    return join(folderPath(sessionId, folder), name)
  }

  return {
    root,
    sessionDir,
    folderPath,
    filePath,

    async ensureSessionDirs(sessionId) {
      await Promise.all(MEDIA_FOLDERS.map((f) => mkdir(folderPath(sessionId, f), { recursive: true })))
    },

    async writeMedia(sessionId, folder, name, bytes) {
      const target = filePath(sessionId, folder, name)
      await mkdir(folderPath(sessionId, folder), { recursive: true })
      // The temp file sits next to the target so rename is atomic (same filesystem); readers see the old file or
      // the whole new one, never a partial write. Its leading '.' keeps it from ever matching a safe name.
      const temp = join(folderPath(sessionId, folder), `.${name}.${randomBytes(6).toString('hex')}.tmp`)
      try {
        const handle = await open(temp, 'wx')
        try {
          if (bytes instanceof Uint8Array) await handle.writeFile(bytes)
          else for await (const chunk of bytes) await handle.write(chunk)
          await handle.sync()
        } finally {
          await handle.close()
        }
        await rename(temp, target)
      } catch (err) {
        await rm(temp, { force: true })
        throw err
      }
      return target
    },

    async removeSessionDir(sessionId) {
      await rm(sessionDir(sessionId), { recursive: true, force: true })
    },

    async clearMedia(sessionId) {
      await Promise.all(MEDIA_FOLDERS.map(async (folder) => {
        const dir = folderPath(sessionId, folder)
        const entries = await readdir(dir).catch((err: NodeJS.ErrnoException) => {
          if (err.code === 'ENOENT') return [] as string[]
          throw err
        })
        await Promise.all(entries.map((entry) => rm(join(dir, entry), { recursive: true, force: true })))
      }))
    }
  }
}
