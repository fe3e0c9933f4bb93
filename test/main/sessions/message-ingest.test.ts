import { join } from 'node:path'
import { proto, type WAMessage } from '@whiskeysockets/baileys'
import Database from 'better-sqlite3'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { HostEvents } from '../../../src/main/events.js'
import { ingestEvents, ingestSentMessage } from '../../../src/main/sessions/message-ingest.js'
import { DATABASE_FILE, openStore, type Store } from '../../../src/main/store/index.js'
import type { HostEvent } from '../../../src/shared/domain.js'
import { useTempDirs } from '../store/temp-dir.js'

const tempDir = useTempDirs()
const stores: Store[] = []
afterEach(() => { for (const s of stores.splice(0)) s.close() })

/** A store of its own with session `s`, and the host events to announce on. */
function sessionStore(): { store: Store; events: HostEvents } {
  const store = openStore({ dataDir: tempDir() })
  stores.push(store)
  store.sessions.create({ id: 's', token: 'token-s' })
  return { store, events: new HostEvents() }
}

function sent(id: string, text: string): WAMessage {
  return { key: { remoteJid: '15550001111@s.whatsapp.net', fromMe: true, id }, message: { conversation: text }, messageTimestamp: 1_800_000_000, status: proto.WebMessageInfo.Status.PENDING }
}

describe('storing sent messages', () => {
  it('stores a send result once: the upsert Baileys emits with that very object is skipped, another object is merged', async () => {
    const { store, events } = sessionStore()
    const seen: HostEvent[] = []
    events.subscribe(e => seen.push(e))
    const upsert = vi.spyOn(store.messages, 'upsert')

    const msg = sent('SENT1', 'hello')
    const stored = ingestSentMessage(store, events, 's', msg)
    // Baileys' upsert of the same object, processed before the shared transaction commits
    ingestEvents(store, events, 's', { 'messages.upsert': { messages: [msg], type: 'append' } })
    expect(upsert).not.toHaveBeenCalled()
    expect(seen).toEqual([])
    expect(await stored).toBe(true)
    expect(upsert).toHaveBeenCalledTimes(1)
    expect(seen.filter(e => e.type === 'message')).toHaveLength(1)

    // the same id in a different object (a redelivery, an edit of the row) still goes to the store, and is not announced twice
    const again = sent('SENT1', 'hello')
    ingestEvents(store, events, 's', { 'messages.upsert': { messages: [again], type: 'append' } })
    expect(upsert).toHaveBeenCalledTimes(2)
    expect(seen.filter(e => e.type === 'message')).toHaveLength(1)
    expect(store.messages.list({ sessionId: 's', limit: 10 }).map(m => m.messageId)).toEqual(['SENT1'])

    // what the store does not keep is reported as not stored, so the caller waits for it instead
    expect(await ingestSentMessage(store, events, 's', { key: { remoteJid: 'status@broadcast', fromMe: true, id: 'S2' }, message: { conversation: 'x' } })).toBe(false)
  })

  it('stores the sends of one turn in one transaction, announcing each only once it is committed', async () => {
    const dataDir = tempDir()
    const store = openStore({ dataDir })
    stores.push(store)
    store.sessions.create({ id: 's', token: 'token-s' })
    const events = new HostEvents()
    const seen: string[] = []
    events.subscribe(e => { if (e.type === 'message') seen.push(e.id) })
    // another connection sees only what is committed: while the last send is written, the others must not be yet
    const reader = new Database(join(dataDir, DATABASE_FILE), { readonly: true })
    const committedCount = () => (reader.prepare('SELECT count(*) AS n FROM messages').get() as { n: number }).n
    const seenByReader: number[] = []
    const upsert = store.messages.upsert
    vi.spyOn(store.messages, 'upsert').mockImplementation(m => {
      seenByReader.push(committedCount())
      return upsert(m)
    })

    const all = Promise.all([1, 2, 3].map(n => ingestSentMessage(store, events, 's', sent(`T${n}`, `text ${n}`))))
    expect(store.messages.list({ sessionId: 's', limit: 10 })).toEqual([])
    expect(await all).toEqual([true, true, true])
    expect(seen).toEqual(['T1', 'T2', 'T3'])
    expect(seenByReader).toEqual([0, 0, 0])
    expect(committedCount()).toBe(3)
    reader.close()
  })

  it('a receipt Baileys folded into the buffered upsert of a stored send is stored and announced like its own event', async () => {
    const { store, events } = sessionStore()
    store.sessions.update('s', { webhook: { url: 'http://127.0.0.1:9/hook' } })
    const acks: HostEvent[] = []
    events.subscribe(e => { if (e.type === 'message_ack') acks.push(e) })
    const msg = sent('FOLDED', 'hi')
    expect(await ingestSentMessage(store, events, 's', msg)).toBe(true)
    // while its events were buffered, Baileys merged the receipts into this very object instead of emitting them
    Object.assign(msg, {
      status: proto.WebMessageInfo.Status.DELIVERY_ACK,
      userReceipt: [{ userJid: '15550002222@s.whatsapp.net', receiptTimestamp: 1_800_000_001 }]
    })
    ingestEvents(store, events, 's', { 'messages.upsert': { messages: [msg], type: 'append' } })
    expect(store.messages.list({ sessionId: 's', limit: 10 }).map(m => [m.messageId, m.status])).toEqual([['FOLDED', proto.WebMessageInfo.Status.DELIVERY_ACK]])
    expect(acks).toEqual([expect.objectContaining({ id: 'FOLDED', status: proto.WebMessageInfo.Status.DELIVERY_ACK })])
    const queued = store.webhooks.head('s', 10).map(r => [r.eventType, JSON.parse(r.payload).data])
    expect(queued).toEqual([
      ['message_sent', expect.objectContaining({ id: 'FOLDED' })],
      ['message_ack', expect.objectContaining({ id: 'FOLDED', status: 'delivered' })],
      ['receipt', expect.objectContaining({ ids: ['FOLDED'], participant: '15550002222@s.whatsapp.net', receipt: 'delivered' })]
    ])
    // the same upsert again changes nothing
    ingestEvents(store, events, 's', { 'messages.upsert': { messages: [{ ...msg, userReceipt: [] }], type: 'append' } })
    expect(acks).toHaveLength(1)
  })

  it('a status that arrives before the end of its send\'s turn finds the message stored, and comes after it', async () => {
    const { store, events } = sessionStore()
    const seen: string[] = []
    events.subscribe(e => { if (e.type === 'message' || e.type === 'message_ack') seen.push(`${e.type} ${e.id}`) })
    const msg = sent('EARLY', 'hi')
    const stored = ingestSentMessage(store, events, 's', msg)
    ingestEvents(store, events, 's', { 'messages.update': [{ key: msg.key, update: { status: proto.WebMessageInfo.Status.DELIVERY_ACK } }] })
    expect(seen).toEqual(['message EARLY', 'message_ack EARLY'])
    expect(store.messages.list({ sessionId: 's', limit: 10 })[0].status).toBe(proto.WebMessageInfo.Status.DELIVERY_ACK)
    expect(await stored).toBe(true)
  })

  it('a send that fails to store fails alone; the others of its turn are stored', async () => {
    const { store, events } = sessionStore()
    const upsert = store.messages.upsert
    vi.spyOn(store.messages, 'upsert').mockImplementation(m => {
      const result = upsert(m)
      if (m.messageId === 'BAD') throw new Error('disk I/O error')
      return result
    })
    const messages = ['OK1', 'BAD', 'OK2'].map(id => sent(id, id))
    const results = await Promise.allSettled(messages.map(msg => ingestSentMessage(store, events, 's', msg)))
    expect(results.map(r => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled'])
    expect((results[1] as PromiseRejectedResult).reason.message).toBe('disk I/O error')
    // the failed one left nothing behind: its savepoint was rolled back
    expect(store.messages.list({ sessionId: 's', limit: 10 }).map(m => m.messageId).sort()).toEqual(['OK1', 'OK2'])
    // and Baileys' own upsert of that very object is not skipped
    vi.mocked(store.messages.upsert).mockRestore()
    ingestEvents(store, events, 's', { 'messages.upsert': { messages: [messages[1]], type: 'append' } })
    expect(store.messages.list({ sessionId: 's', limit: 10 })).toHaveLength(3)
  })

  it('closing the store writes the sends still waiting for the end of the turn', async () => {
    const dataDir = tempDir()
    const store = openStore({ dataDir })
    store.sessions.create({ id: 's', token: 'token-s' })
    const pending = ingestSentMessage(store, new HostEvents(), 's', sent('LAST', 'bye'))
    store.close()
    expect(await pending).toBe(true)
    const reopened = openStore({ dataDir })
    stores.push(reopened)
    expect(reopened.messages.list({ sessionId: 's', limit: 10 }).map(m => m.messageId)).toEqual(['LAST'])
  })
})
