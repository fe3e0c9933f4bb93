import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { createMediaFiles, isSafeFileName, UnsafePathError } from '../../../src/main/store/media-files.js'
import { useTempDirs } from './temp-dir.js'

const tempDir = useTempDirs()

describe('media files', () => {
  it('creates the per-session folders and writes files atomically', async () => {
    const dataDir = tempDir()
    const media = createMediaFiles(dataDir)
    await media.ensureSessionDirs('s1')
    for (const f of ['media', 'profile', 'thumb']) expect(existsSync(join(dataDir, 'sessions', 's1', f))).toBe(true)

    const path = await media.writeMedia('s1', 'media', '3EB0ABC.jpg', Buffer.from('first'))
    expect(path).toBe(join(dataDir, 'sessions', 's1', 'media', '3EB0ABC.jpg'))
    await media.writeMedia('s1', 'media', '3EB0ABC.jpg', new Uint8Array(Buffer.from('second')))
    expect(readFileSync(path, 'utf8')).toBe('second')
    // no temp files are left behind
    expect(readdirSync(join(dataDir, 'sessions', 's1', 'media'))).toEqual(['3EB0ABC.jpg'])
    // writing creates the folders when ensureSessionDirs was not called
    await media.writeMedia('s2', 'thumb', 'x.jpg', Buffer.from('t'))
    expect(existsSync(join(dataDir, 'sessions', 's2', 'thumb', 'x.jpg'))).toBe(true)
  })

  it('rejects path traversal and unsafe names, touching nothing', async () => {
    const dataDir = tempDir()
    const media = createMediaFiles(dataDir)
    const bad = ['../evil', '..', '.', '', 'a/b', 'a\\b', '/etc/passwd', '.hidden', 'nul\0byte', 'x'.repeat(201), 'é.jpg']
    for (const name of bad) {
      expect(isSafeFileName(name)).toBe(false)
      await expect(media.writeMedia('s1', 'media', name, Buffer.from('x'))).rejects.toBeInstanceOf(UnsafePathError)
      await expect(media.writeMedia(name, 'media', 'ok.jpg', Buffer.from('x'))).rejects.toBeInstanceOf(UnsafePathError)
      await expect(media.removeSessionDir(name)).rejects.toBeInstanceOf(UnsafePathError)
    }
    await expect(media.writeMedia('s1', '../../x' as never, 'ok.jpg', Buffer.from('x'))).rejects.toBeInstanceOf(UnsafePathError)
    expect(readdirSync(dataDir)).toEqual([])
    expect(isSafeFileName('3EB0C767D26A1B2E.ogg')).toBe(true)
    expect(isSafeFileName('15551234567_s.whatsapp.net-1700000000.jpg')).toBe(true)
  })

  it('clearMedia empties the three folders but keeps them; removeSessionDir removes everything', async () => {
    const dataDir = tempDir()
    const media = createMediaFiles(dataDir)
    await media.writeMedia('s1', 'media', 'a.jpg', Buffer.from('a'))
    await media.writeMedia('s1', 'profile', 'p.jpg', Buffer.from('p'))
    await media.writeMedia('s1', 'thumb', 't.jpg', Buffer.from('t'))
    await media.writeMedia('s2', 'media', 'keep.jpg', Buffer.from('k'))
    await media.clearMedia('s1')
    for (const f of ['media', 'profile', 'thumb'] as const) expect(readdirSync(media.folderPath('s1', f))).toEqual([])
    expect(existsSync(media.filePath('s2', 'media', 'keep.jpg'))).toBe(true)
    await media.clearMedia('never-created') // nothing there: no error

    writeFileSync(join(media.sessionDir('s1'), 'loose.bin'), 'x')
    await media.removeSessionDir('s1')
    expect(existsSync(media.sessionDir('s1'))).toBe(false)
    await media.removeSessionDir('s1') // already gone: no error
  })
})
