import { beforeEach, describe, expect, it } from 'vitest'
import type { BridgeEvent, WaDockBridge } from '../../src/shared/bridge.js'
import type { SessionInfo, StorageStats, WebhookDelivery } from '../../src/shared/domain.js'
import { useApp } from '../../src/renderer/src/stores/app.js'
import { appendEvent, MAX_EVENTS, mergeHistory, useEvents } from '../../src/renderer/src/stores/events.js'
import { applyEvent, Feed } from '../../src/renderer/src/stores/feed.js'
import { applyLinkingEvent, linkStateOf, setQrState, useLinking } from '../../src/renderer/src/stores/linking.js'
import { resetStores } from '../../src/renderer/src/stores/reset.js'
import { applySessionEvent, fromList, initialSessions, upsert, useSessions } from '../../src/renderer/src/stores/sessions.js'
import { useStorage } from '../../src/renderer/src/stores/storage.js'
import { setDeliveries, useWebhooks } from '../../src/renderer/src/stores/webhooks.js'

const session = (id: string, patch: Partial<SessionInfo> = {}): SessionInfo => ({
  id, name: null, status: 'disconnected', reason: null, phoneNumber: null, pushName: null, lid: null, deviceId: null,
  createdAt: 1, updatedAt: 1, lastConnectedAt: null, isLoggedIn: false, webhook: null, ...patch
})
const status = (sessionId: string, s: SessionInfo['status'], reason: SessionInfo['reason'] = null, at = 10): BridgeEvent =>
  ({ type: 'status', sessionId, status: s, reason, at })
const stats = (bytes: number): StorageStats => ({
  name: 'x', bytes, files: 1, subs: [{ name: 'media', bytes, files: 1 }, { name: 'profile', bytes: 0, files: 0 }, { name: 'thumb', bytes: 0, files: 0 }],
  contacts: 2, chats: 3, bytesSent: 4, bytesReceived: 5
})
const delivery = (at: number): WebhookDelivery => ({ eventId: `e${at}`, eventType: 'message', attempt: 1, statusCode: 200, ok: true, latencyMs: 3, error: null, outcome: 'delivered', at })

describe('sessions store', () => {
  it('a status event replaces only that session and keeps the order and the other objects', () => {
    const state = { ...initialSessions, ...fromList([session('a'), session('b')]) }
    const next = { ...state, ...applySessionEvent(state, status('a', 'logged_in')) }
    expect(next.byId.a).toMatchObject({ status: 'logged_in', isLoggedIn: true, updatedAt: 10 })
    expect(next.byId.b).toBe(state.byId.b)
    expect(next.order).toBe(state.order)
  })

  it('keeps the reason of a disconnect and changes nothing for a repeated status or an unknown session', () => {
    const state = { ...initialSessions, ...fromList([session('a', { status: 'waiting_for_qr' })]) }
    expect(applySessionEvent(state, status('a', 'disconnected', 'qr_timeout')).byId?.a).toMatchObject({ status: 'disconnected', reason: 'qr_timeout' })
    expect(applySessionEvent(state, status('a', 'waiting_for_qr'))).toEqual({})
    expect(applySessionEvent(state, status('zz', 'connecting'))).toEqual({})
  })

  it('upserts append new sessions and removal drops them', () => {
    const state = { ...initialSessions, ...fromList([session('a')]) }
    const added = { ...state, ...upsert(state, session('b')) }
    expect(added.order).toEqual(['a', 'b'])
    const replaced = { ...added, ...upsert(added, session('a', { name: 'A' })) }
    expect(replaced.order).toBe(added.order)
    expect(replaced.byId.a.name).toBe('A')
    const removed = { ...replaced, ...applySessionEvent(replaced, { type: 'session_removed', sessionId: 'a', at: 1 }) }
    expect(removed.order).toEqual(['b'])
    expect(removed.byId.a).toBeUndefined()
  })
})

describe('linking store', () => {
  it('puts each new QR first and drops QR and pairing code once the session stops waiting', () => {
    let state = setQrState({ byId: {} }, 'a', { qrCodes: ['q1'], expiresAt: 100 })
    state = applyLinkingEvent(state, { type: 'qr', sessionId: 'a', qr: 'q2', expiresAt: 200, at: 1 })
    expect(linkStateOf(state, 'a')).toEqual({ qrCodes: ['q2', 'q1'], expiresAt: 200, pairCode: null })
    state = applyLinkingEvent(state, { type: 'pair_code', sessionId: 'a', code: 'ABCD-EFGH', at: 2 })
    expect(linkStateOf(state, 'a').pairCode).toBe('ABCD-EFGH')
    expect(applyLinkingEvent(state, status('a', 'waiting_for_qr'))).toBe(state)
    state = applyLinkingEvent(state, status('a', 'logged_in'))
    expect(linkStateOf(state, 'a')).toEqual({ qrCodes: [], expiresAt: null, pairCode: null })
  })
})

describe('events and webhook stores', () => {
  it('logs news (not QR rotations or storage figures), capped, and merges history without duplicates', () => {
    let state = { events: [] as BridgeEvent[] }
    state = appendEvent(state, { type: 'qr', sessionId: 'a', qr: 'q', expiresAt: 1, at: 1 })
    state = appendEvent(state, { type: 'storage', sessionId: 'a', stats: stats(1), at: 1 })
    expect(state.events).toEqual([])
    for (let i = 0; i < MAX_EVENTS + 5; i++) state = appendEvent(state, status('a', 'connecting', null, i))
    expect(state.events).toHaveLength(MAX_EVENTS)
    expect(state.events.at(-1)!.at).toBe(MAX_EVENTS + 4)

    const live = status('a', 'logged_in', null, 50)
    const merged = mergeHistory({ events: [live] }, [status('a', 'connecting', null, 40), live])
    expect(merged.events.map(e => e.at)).toEqual([40, 50])
  })

  it('shows deliveries newest first', () => {
    const state = setDeliveries({ byId: {} }, 'a', [delivery(1), delivery(3), delivery(2)])
    expect(state.byId.a.map(d => d.at)).toEqual([3, 2, 1])
  })
})

describe('the feed', () => {
  beforeEach(() => resetStores())

  /** A bridge with real event delivery and in-memory sessions: enough for the feed's own logic. */
  function memoryBridge(sessions: SessionInfo[]) {
    const listeners = new Set<(e: BridgeEvent) => void>()
    const byId = new Map(sessions.map(s => [s.id, s]))
    const reads: string[] = []
    const bridge = {
      appInfo: async () => ({ version: '0', shell: 'web', sandbox: true, apiUrl: null, dataDir: '/d' }),
      listSessions: async () => [...byId.values()],
      getSession: async (id: string) => { reads.push(id); const s = byId.get(id); if (!s) throw new Error('not found'); return s },
      getSettings: async () => ({ rest: { enabled: true, host: '127.0.0.1', port: 1 }, adminToken: null, sandbox: true, startAtLogin: false, closeToTray: true }),
      recentEvents: async () => [status('a', 'connecting', null, 1)],
      storageStats: async () => stats(7),
      onEvent: (l: (e: BridgeEvent) => void) => { listeners.add(l); return () => { listeners.delete(l) } }
    } as unknown as WaDockBridge
    return { bridge, byId, reads, listeners, emit: (e: BridgeEvent) => { for (const l of listeners) l(e) } }
  }

  it('loads the first data, then applies every event to every store through one subscription', async () => {
    const m = memoryBridge([session('a')])
    const feed = new Feed(m.bridge)
    feed.start()
    feed.start()
    expect(m.listeners.size).toBe(1)
    await expect.poll(() => useApp.getState().ready).toBe(true)
    expect(useSessions.getState().order).toEqual(['a'])
    expect(useEvents.getState().events).toHaveLength(1)

    m.byId.set('a', session('a', { status: 'logged_in', isLoggedIn: true, phoneNumber: '15550001111' }))
    m.emit(status('a', 'logged_in', null, 5))
    // the status shows at once; the details arrive with the re-read
    expect(useSessions.getState().byId.a.status).toBe('logged_in')
    await expect.poll(() => useSessions.getState().byId.a.phoneNumber).toBe('15550001111')
    await expect.poll(() => useStorage.getState().byId.a?.bytes).toBe(7)

    m.emit({ type: 'webhook_delivery', sessionId: 'a', delivery: delivery(9), at: 9 })
    expect(useWebhooks.getState().byId.a).toHaveLength(1)
    m.emit({ type: 'session_removed', sessionId: 'a', at: 10 })
    expect(useSessions.getState().order).toEqual([])

    feed.stop()
    expect(m.listeners.size).toBe(0)
  })

  it('a session first seen in an event (created elsewhere) is read and added', async () => {
    const m = memoryBridge([])
    const feed = new Feed(m.bridge)
    feed.start()
    await expect.poll(() => useApp.getState().ready).toBe(true)
    m.byId.set('new', session('new', { status: 'connecting' }))
    m.emit(status('new', 'connecting'))
    await expect.poll(() => useSessions.getState().order).toEqual(['new'])
    feed.stop()
  })

  it('applyEvent moves the view home when the shown session is deleted, and takes settings from events', () => {
    useApp.setState({ view: { kind: 'session', id: 'a' } })
    applyEvent({ type: 'session_removed', sessionId: 'a', at: 1 })
    expect(useApp.getState().view).toEqual({ kind: 'home' })
    const settings = { rest: { enabled: false, host: '127.0.0.1', port: 2 }, adminToken: null, sandbox: false, startAtLogin: true, closeToTray: false }
    applyEvent({ type: 'settings', settings, at: 2 })
    expect(useApp.getState().settings).toEqual(settings)
    expect(linkStateOf(useLinking.getState(), 'a').qrCodes).toEqual([])
  })
})
