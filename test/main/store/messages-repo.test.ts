import { join } from 'node:path'
import { proto } from '@whiskeysockets/baileys'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { closeDatabase, type Db, openDatabase } from '../../../src/main/store/database.js'
import { createMessagesRepo, MessageStatus, type MessagesRepo } from '../../../src/main/store/messages-repo.js'
import { useTempDirs } from './temp-dir.js'

const tempDir = useTempDirs()
let db: Db
let messages: MessagesRepo
const chat = '15550001111@s.whatsapp.net'

beforeEach(() => {
  db = openDatabase(join(tempDir(), 'wadock.db'))
  db.prepare("INSERT INTO sessions (id, token, status) VALUES ('s1', 't1', 'connected'), ('s2', 't2', 'connected')").run()
  messages = createMessagesRepo(db)
})
afterEach(() => closeDatabase(db))

const base = { sessionId: 's1', chatJid: chat, messageId: 'ABC', fromMe: false }

describe('messages repository', () => {
  it('stores a redelivered message once and says whether it was new', () => {
    const first = messages.upsert({ ...base, text: 'hello', type: 'conversation', timestamp: 1700000000, senderJid: chat })
    const again = messages.upsert({ ...base, text: 'hello', type: 'conversation', timestamp: 1700000000 })
    expect(first.inserted).toBe(true)
    expect(again).toEqual({ inserted: false, seq: first.seq })
    expect(messages.count('s1')).toBe(1)
    expect(messages.get('s1', chat, 'ABC')).toMatchObject({ seq: first.seq, text: 'hello', senderJid: chat, fromMe: false })

    // the same id in the other direction, another chat, or another session is a different message
    expect(messages.upsert({ ...base, fromMe: true }).inserted).toBe(true)
    expect(messages.upsert({ ...base, chatJid: 'other@s.whatsapp.net' }).inserted).toBe(true)
    expect(messages.upsert({ ...base, sessionId: 's2' }).inserted).toBe(true)
    expect(messages.count('s1')).toBe(3)
  })

  it('a redelivery fills in content (a retried decryption) but keeps what it lacks', () => {
    messages.upsert({ ...base, type: 'ciphertext', senderJid: chat, timestamp: 5 })
    messages.upsert({ ...base, type: 'conversation', text: 'decrypted', raw: new Uint8Array([1, 2]) })
    expect(messages.get('s1', chat, 'ABC', false)).toMatchObject({
      type: 'conversation', text: 'decrypted', senderJid: chat, timestamp: 5, raw: Buffer.from([1, 2])
    })
  })

  it('an edit replaces the text, a deletion drops it; a redelivery of the original changes neither', () => {
    messages.upsert({ ...base, type: 'conversation', text: 'see you at 5' })
    messages.upsert({ ...base, messageId: 'DEL', type: 'conversation', text: 'ignore this' })
    expect(messages.applyEdit('s1', chat, 'ABC', false, 'see you at 6', 1_800_000_100)).toBe(true)
    expect(messages.applyRevoke('s1', chat, 'DEL', false, 1_800_000_200)).toBe(true)
    // the original arriving again (a redelivery) keeps the edit and the deletion
    messages.upsert({ ...base, type: 'conversation', text: 'see you at 5' })
    messages.upsert({ ...base, messageId: 'DEL', type: 'conversation', text: 'ignore this' })
    expect(messages.get('s1', chat, 'ABC', false)).toMatchObject({ text: 'see you at 6', editedAt: 1_800_000_100, revokedAt: null })
    expect(messages.get('s1', chat, 'DEL', false)).toMatchObject({ text: null, type: 'conversation', revokedAt: 1_800_000_200 })
    // a deleted message takes no edit; an unknown one takes neither
    expect(messages.applyEdit('s1', chat, 'DEL', false, 'back', 1_800_000_300)).toBe(false)
    expect(messages.applyRevoke('s1', chat, 'DEL', false, 1_800_000_300)).toBe(false)
    expect(messages.applyEdit('s1', chat, 'NOPE', false, 'x', 1)).toBe(false)
    expect(messages.get('s1', chat, 'DEL', false)).toMatchObject({ text: null, revokedAt: 1_800_000_200 })
  })

  it('never lowers a status; ERROR replaces only PENDING and keeps its ack error', () => {
    const key = ['s1', chat, 'ABC', true] as const
    messages.upsert({ ...base, fromMe: true, status: MessageStatus.PENDING })
    expect(messages.updateStatus(...key, MessageStatus.READ)).toBe(true)
    expect(messages.updateStatus(...key, MessageStatus.DELIVERY_ACK)).toBe(false)
    expect(messages.updateStatus(...key, MessageStatus.SERVER_ACK)).toBe(false)
    expect(messages.updateStatus(...key, MessageStatus.ERROR, '463')).toBe(false)
    expect(messages.get(...key)).toMatchObject({ status: MessageStatus.READ, ackError: null })
    expect(messages.updateStatus(...key, MessageStatus.PLAYED)).toBe(true)
    expect(messages.get(...key)?.status).toBe(MessageStatus.PLAYED)
    // a redelivered copy with an older status does not lower it either
    messages.upsert({ ...base, fromMe: true, status: MessageStatus.SERVER_ACK })
    expect(messages.get(...key)?.status).toBe(MessageStatus.PLAYED)

    // a send the server rejects: PENDING → ERROR with the code; a later receipt still raises it
    const sent = ['s1', chat, 'REJECTED', true] as const
    messages.upsert({ ...base, messageId: 'REJECTED', fromMe: true, status: MessageStatus.PENDING })
    expect(messages.updateStatus(...sent, MessageStatus.ERROR, '463')).toBe(true)
    expect(messages.get(...sent)).toMatchObject({ status: MessageStatus.ERROR, ackError: '463' })
    expect(messages.updateStatus(...sent, MessageStatus.PENDING)).toBe(false)
    expect(messages.updateStatus(...sent, MessageStatus.DELIVERY_ACK)).toBe(true)
    expect(messages.get(...sent)).toMatchObject({ status: MessageStatus.DELIVERY_ACK, ackError: '463' })

    expect(messages.updateStatus('s1', chat, 'unknown', true, MessageStatus.READ)).toBe(false)
  })

  it('getRaw returns the encoded WebMessageInfo for getMessage, preferring our own message', () => {
    const info = proto.WebMessageInfo.fromObject({
      key: { remoteJid: chat, id: 'SENT1', fromMe: true },
      message: { conversation: 'hi there' },
      messageTimestamp: 1700000000
    })
    const raw = proto.WebMessageInfo.encode(info).finish()
    messages.upsert({ ...base, messageId: 'SENT1', fromMe: false, raw: new Uint8Array([0]) })
    messages.upsert({ ...base, messageId: 'SENT1', fromMe: true, raw })
    const found = messages.getRaw('s1', 'SENT1')
    expect(proto.WebMessageInfo.decode(found!).message?.conversation).toBe('hi there')
    expect(messages.getRaw('s1', 'missing')).toBeUndefined()
    expect(messages.getRaw('s2', 'SENT1')).toBeUndefined()
  })

  it('lists in seq order, per chat or per session, from a cursor', () => {
    const seqs = ['a', 'b', 'c', 'd', 'e'].map((id, i) =>
      messages.upsert({ ...base, messageId: id, chatJid: i % 2 ? 'other@g.us' : chat }).seq)
    messages.upsert({ ...base, sessionId: 's2', messageId: 'z' })
    expect(messages.list({ sessionId: 's1', limit: 10 }).map((m) => m.messageId)).toEqual(['a', 'b', 'c', 'd', 'e'])
    expect(messages.list({ sessionId: 's1', chatJid: chat, limit: 10 }).map((m) => m.messageId)).toEqual(['a', 'c', 'e'])
    expect(messages.list({ sessionId: 's1', afterSeq: seqs[1], limit: 2 }).map((m) => m.messageId)).toEqual(['c', 'd'])
    expect(messages.list({ sessionId: 's1', chatJid: 'other@g.us', afterSeq: seqs[1], limit: 5 }).map((m) => m.messageId)).toEqual(['d'])
  })

  it('records and forgets media paths', () => {
    messages.upsert({ ...base })
    expect(messages.setMediaPath('s1', chat, 'ABC', false, '/x/media/ABC.jpg')).toBe(true)
    expect(messages.get('s1', chat, 'ABC')?.mediaPath).toBe('/x/media/ABC.jpg')
    expect(messages.clearMediaPaths('s1')).toBe(1)
    expect(messages.get('s1', chat, 'ABC')?.mediaPath).toBeNull()
  })
})
