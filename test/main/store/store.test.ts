import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { openStore, type Store } from '../../../src/main/store/index.js'
import { useTempDirs } from './temp-dir.js'

const tempDir = useTempDirs()
const stores: Store[] = []
afterEach(() => { for (const s of stores.splice(0)) s.close() })

function newStore(dataDir = tempDir()): Store {
  const store = openStore({ dataDir })
  stores.push(store)
  return store
}

const TABLES = ['sessions', 'auth_creds', 'auth_keys', 'messages', 'chats', 'contacts']

/** A session with a row in every table and files in every folder. */
async function populate(store: Store, id: string): Promise<void> {
  store.sessions.create({ id, token: `token-${id}` })
  const auth = store.authState(id)
  auth.saveCreds()
  await auth.state.keys.set({ session: { a: Buffer.from('1') }, 'lid-mapping': { '1': '2' } })
  store.messages.upsert({ sessionId: id, chatJid: 'a@s.whatsapp.net', messageId: 'M1', fromMe: false, text: 'hi' })
  store.chats.upsert({ sessionId: id, jid: 'a@s.whatsapp.net' })
  store.contacts.upsertLidPn(id, '1@lid', 'a@s.whatsapp.net')
  await store.media.writeMedia(id, 'media', 'M1.jpg', Buffer.alloc(10))
  await store.media.writeMedia(id, 'thumb', 'M1.jpg', Buffer.alloc(3))
  await store.media.writeMedia(id, 'profile', 'a.jpg', Buffer.alloc(4))
}

describe('openStore', () => {
  it('keeps the database at <dataDir>/wadock.db and reopens it', async () => {
    const dataDir = tempDir()
    const store = newStore(dataDir)
    await populate(store, 's1')
    store.close()
    expect(existsSync(join(dataDir, 'wadock.db'))).toBe(true)
    const again = newStore(dataDir)
    expect(again.sessions.get('s1')?.token).toBe('token-s1')
    expect(again.authState('s1').hasCredentials()).toBe(true)
  })

  it('storage statistics equal a manual count of the files written', async () => {
    const store = newStore()
    store.sessions.create({ id: 's1', token: 't1' })
    await store.media.ensureSessionDirs('s1')
    const written = {
      media: [Buffer.alloc(1000), Buffer.alloc(2345), Buffer.alloc(0)],
      profile: [Buffer.alloc(77)],
      thumb: [Buffer.alloc(12), Buffer.alloc(13)]
    }
    for (const [folder, files] of Object.entries(written)) {
      for (const [i, bytes] of files.entries()) await store.media.writeMedia('s1', folder as 'media', `f${i}.bin`, bytes)
    }
    // files in nested folders and outside the three sub-folders count in the total (as in seed 001's example)
    mkdirSync(join(store.media.folderPath('s1', 'media'), 'nested'))
    writeFileSync(join(store.media.folderPath('s1', 'media'), 'nested', 'deep.bin'), Buffer.alloc(5))
    writeFileSync(join(store.media.sessionDir('s1'), 'loose.bin'), Buffer.alloc(100))
    for (const jid of ['a@s.whatsapp.net', 'b@s.whatsapp.net']) store.chats.upsert({ sessionId: 's1', jid })
    for (const jid of ['a@s.whatsapp.net', 'b@s.whatsapp.net', 'c@s.whatsapp.net']) store.contacts.upsert({ sessionId: 's1', jid })
    store.sessions.addBytes('s1', 42, 4242)

    expect(await store.storageStats('s1')).toEqual({
      name: 's1',
      bytes: 1000 + 2345 + 0 + 5 + 77 + 12 + 13 + 100,
      files: 8,
      subs: [
        { name: 'media', bytes: 3350, files: 4 },
        { name: 'profile', bytes: 77, files: 1 },
        { name: 'thumb', bytes: 25, files: 2 }
      ],
      contacts: 3,
      chats: 2,
      bytesSent: 42,
      bytesReceived: 4242
    })

    await store.clearMedia('s1')
    expect(await store.storageStats('s1')).toMatchObject({ bytes: 100, files: 1, subs: [{ files: 0 }, { files: 0 }, { files: 0 }], chats: 2 })
    expect(await store.storageStats('unknown')).toMatchObject({ name: 'unknown', bytes: 0, files: 0, contacts: 0, bytesSent: 0 })
  })

  it('deleteSession leaves no row in any table and no folder, and spares other sessions', async () => {
    const store = newStore()
    await populate(store, 's1')
    await populate(store, 's2')
    const rows = (id: string) => TABLES.map((t) =>
      (store.db.prepare(`SELECT COUNT(*) AS n FROM ${t} WHERE ${t === 'sessions' ? 'id' : 'session_id'} = ?`).get(id) as { n: number }).n)
    expect(rows('s1').every((n) => n > 0)).toBe(true)

    expect(await store.deleteSession('s1')).toBe(true)
    expect(rows('s1')).toEqual([0, 0, 0, 0, 0, 0])
    expect(existsSync(store.media.sessionDir('s1'))).toBe(false)
    expect(rows('s2').every((n) => n > 0)).toBe(true)
    expect(existsSync(store.media.filePath('s2', 'media', 'M1.jpg'))).toBe(true)
    expect(await store.deleteSession('s1')).toBe(false)
    await expect(store.deleteSession('../s2')).rejects.toThrow(/unsafe/)
    expect(store.sessions.get('s2')).toBeDefined()
  })

  it('clearMedia keeps credentials and messages but forgets media paths', async () => {
    const store = newStore()
    await populate(store, 's1')
    store.messages.setMediaPath('s1', 'a@s.whatsapp.net', 'M1', false, store.media.filePath('s1', 'media', 'M1.jpg'))
    await store.clearMedia('s1')
    expect(store.authState('s1').hasCredentials()).toBe(true)
    expect(store.messages.get('s1', 'a@s.whatsapp.net', 'M1')).toMatchObject({ text: 'hi', mediaPath: null })
    expect((await store.storageStats('s1')).files).toBe(0)
  })
})
