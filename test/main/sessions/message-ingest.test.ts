import { proto, type WAMessage } from '@whiskeysockets/baileys'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { HostEvents } from '../../../src/main/events.js'
import { ingestEvents, ingestSentMessage } from '../../../src/main/sessions/message-ingest.js'
import { openStore, type Store } from '../../../src/main/store/index.js'
import type { HostEvent } from '../../../src/shared/domain.js'
import { useTempDirs } from '../store/temp-dir.js'

const tempDir = useTempDirs()
const stores: Store[] = []
afterEach(() => { for (const s of stores.splice(0)) s.close() })

function sent(id: string, text: string): WAMessage {
  return { key: { remoteJid: '15550001111@s.whatsapp.net', fromMe: true, id }, message: { conversation: text }, messageTimestamp: 1_800_000_000, status: proto.WebMessageInfo.Status.PENDING }
}

describe('storing sent messages', () => {
  it('stores a send result once: the upsert Baileys emits with that very object is skipped, another object is merged', () => {
    const store = openStore({ dataDir: tempDir() })
    stores.push(store)
    store.sessions.create({ id: 's', token: 'token-s' })
    const events = new HostEvents()
    const seen: HostEvent[] = []
    events.subscribe(e => seen.push(e))
    const upsert = vi.spyOn(store.messages, 'upsert')

    const msg = sent('SENT1', 'hello')
    expect(ingestSentMessage(store, events, 's', msg)).toBe(true)
    ingestEvents(store, events, 's', { 'messages.upsert': { messages: [msg], type: 'append' } })
    expect(upsert).toHaveBeenCalledTimes(1)

    // the same id in a different object (a redelivery, an edit of the row) still goes to the store, and is not announced twice
    const again = sent('SENT1', 'hello')
    ingestEvents(store, events, 's', { 'messages.upsert': { messages: [again], type: 'append' } })
    expect(upsert).toHaveBeenCalledTimes(2)
    expect(seen.filter(e => e.type === 'message')).toHaveLength(1)
    expect(store.messages.list({ sessionId: 's', limit: 10 }).map(m => m.messageId)).toEqual(['SENT1'])

    // what the store does not keep is reported as not stored, so the caller waits for it instead
    expect(ingestSentMessage(store, events, 's', { key: { remoteJid: 'status@broadcast', fromMe: true, id: 'S2' }, message: { conversation: 'x' } })).toBe(false)
  })
})
