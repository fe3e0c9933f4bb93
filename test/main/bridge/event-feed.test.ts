/**
 * The event feed on the host's real event bus and a real store: storage recounts are throttled per session (a burst
 * of messages gives one recount), dropped when the session is removed meanwhile; the recent buffer and a waiting
 * client's queue are bounded; one failing client does not keep events from the others.
 */
import { afterEach, describe, expect, it } from 'vitest'
import type { BridgeEvent } from '../../../src/shared/bridge.js'
import { EventFeed } from '../../../src/main/bridge/event-feed.js'
import { HostEvents } from '../../../src/main/events.js'
import { openStore, type Store } from '../../../src/main/store/index.js'
import { tempDir } from '../../support/host-harness.js'
import { EventLog } from './bridge-fixture.js'

const message = (sessionId: string, id: string) => ({
  type: 'message' as const, sessionId, chat: '15550001111@s.whatsapp.net', id, fromMe: false, messageType: 'conversation', text: id, sender: null, timestamp: 1
})

describe('event feed', () => {
  const cleanup: (() => Promise<void> | void)[] = []
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step()
  })

  async function setup(options: Partial<ConstructorParameters<typeof EventFeed>[0]> = {}, connectClient = true) {
    const dir = await tempDir('wadock-feed-')
    const store: Store = openStore({ dataDir: dir.path })
    const events = new HostEvents()
    const recounts: string[] = []
    const feed = new EventFeed({
      events, storageStats: id => { recounts.push(id); return store.storageStats(id) }, storageThrottleMs: 20, ...options
    })
    cleanup.push(() => dir.remove(), () => store.close(), () => feed.close())
    const log = new EventLog()
    if (connectClient) feed.connect(log.push, { ready: true })
    return { events, feed, log, recounts }
  }

  it('recounts a session\'s storage once for a burst of messages, and again for a later one', async () => {
    const { events, log, recounts } = await setup()
    for (let i = 0; i < 25; i++) events.emit(message('a', `m${i}`))
    events.emit(message('b', 'other'))
    const first = await log.waitFor('storage', e => e.sessionId === 'a')
    expect(first.stats).toMatchObject({ name: 'a', bytes: 0, files: 0, contacts: 0, chats: 0 })
    await log.waitFor('storage', e => e.sessionId === 'b')
    expect(recounts.sort()).toEqual(['a', 'b'])
    events.emit(message('a', 'later'))
    await log.waitFor('storage', e => e.sessionId === 'a' && e !== first)
    expect(recounts.filter(id => id === 'a')).toHaveLength(2)
    expect(log.events.filter(e => e.type === 'message')).toHaveLength(27)
  })

  it('recounts nothing while no client is connected, and again once one is', async () => {
    const { events, feed, log, recounts } = await setup({}, false)
    const scheduled = () => (feed as unknown as { storageTimers: Map<string, unknown> }).storageTimers.size
    events.emit(message('a', 'm1'))
    expect(feed.recent().map(e => e.type)).toEqual(['message'])
    expect(scheduled()).toBe(0)
    feed.connect(log.push, { ready: true })
    events.emit(message('a', 'm2'))
    await log.waitFor('storage', e => e.sessionId === 'a')
    expect(recounts).toEqual(['a'])
  })

  it('drops a recount whose session was removed meanwhile', async () => {
    const { events, log, recounts } = await setup()
    events.emit(message('gone', 'm1'))
    events.emit({ type: 'session_removed', sessionId: 'gone' })
    events.emit(message('kept', 'm2'))
    await log.waitFor('storage', e => e.sessionId === 'kept')
    expect(recounts).toEqual(['kept'])
    expect(log.events.some(e => e.type === 'storage' && e.sessionId === 'gone')).toBe(false)
  })

  it('keeps the most recent events only, and filters them by session', async () => {
    const { events, feed } = await setup({ recentLimit: 5, storageThrottleMs: 60_000 })
    for (let i = 0; i < 8; i++) events.emit(message(i % 2 ? 'odd' : 'even', `m${i}`))
    feed.settingsChanged({ rest: { enabled: true, host: '127.0.0.1', port: 1 }, adminToken: null, sandbox: false, startAtLogin: false, closeToTray: true })
    expect(feed.recent().map(e => (e.type === 'message' ? e.id : e.type))).toEqual(['m4', 'm5', 'm6', 'm7', 'settings'])
    expect(feed.recent('odd').map(e => (e as { id: string }).id)).toEqual(['m5', 'm7'])
  })

  it('queues for a client that is not ready (bounded, oldest dropped), then delivers in order; a failing client harms no other', async () => {
    const { events, feed, log } = await setup({ queueLimit: 3, storageThrottleMs: 60_000 })
    const late: BridgeEvent[] = []
    const client = feed.connect(e => late.push(e))
    feed.connect(() => { throw new Error('a window that is going away') }, { ready: true })
    for (let i = 0; i < 5; i++) events.emit(message('a', `m${i}`))
    expect(late).toEqual([])
    expect(log.events).toHaveLength(5)
    client.ready()
    expect(late.map(e => (e as { id: string }).id)).toEqual(['m2', 'm3', 'm4'])
    events.emit(message('a', 'm5'))
    expect(late.map(e => (e as { id: string }).id)).toEqual(['m2', 'm3', 'm4', 'm5'])
    client.close()
    events.emit(message('a', 'm6'))
    expect(late).toHaveLength(4)
  })
})
