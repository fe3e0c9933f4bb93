import { once } from 'node:events'
import { existsSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { WebSocketServer } from 'ws'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startSimulator, type Simulator } from '../../../src/sim/index.js'
import { HostHarness, tempDir } from '../../support/host-harness.js'

describe('sessions against the simulator', () => {
  let sim: Simulator
  const cleanups: (() => Promise<void>)[] = []
  beforeAll(async () => { sim = await startSimulator() })
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c()
    await sim.stop()
  })

  async function harness(dataDir?: string, overrides = {}) {
    const dir = dataDir ? { path: dataDir, remove: async () => {} } : await tempDir()
    const h = await HostHarness.start(sim, dir.path, overrides)
    cleanups.push(async () => { await h.stop(); await dir.remove() })
    return { h, dir: dir.path }
  }

  it('links by QR, stores the account, and stores what a virtual phone sends', async () => {
    const { h } = await harness()
    const info = h.host.sessions.create({ id: 'alpha', name: 'Alpha' })
    expect(info.status).toBe('connecting')
    await h.status('alpha', 'waiting_for_qr')
    await h.linkByQr(sim, 'alpha', '15551110001', 'Alpha Phone')
    const record = h.host.store.sessions.get('alpha')!
    expect(record).toMatchObject({ phoneNumber: '15551110001', pushName: 'Alpha Phone', status: 'logged_in', wasRunning: true })
    expect(record.lid).toMatch(/^\d+@lid$/)

    await sim.createAccount('15551110002', 'Other')
    const { id } = await sim.sendText('15551110002', '15551110001', 'hello alpha')
    const event = await h.waitFor('message', e => e.id === id)
    expect(event).toMatchObject({ sessionId: 'alpha', fromMe: false, text: 'hello alpha' })
    expect(h.host.store.messages.list({ sessionId: 'alpha', limit: 10 }).filter(m => m.messageId === id)).toHaveLength(1)
  })

  it('after a restart, linked running sessions come back without a QR and stopped ones stay stopped', async () => {
    const dir = await tempDir()
    cleanups.push(dir.remove)
    const first = await HostHarness.start(sim, dir.path)
    first.host.sessions.create({ id: 'runner' })
    await first.linkByQr(sim, 'runner', '15551110011')
    first.host.sessions.create({ id: 'stopper' })
    await first.linkByQr(sim, 'stopper', '15551110012')
    await first.host.sessions.disconnect('stopper')
    await first.stop()

    const second = await HostHarness.start(sim, dir.path)
    cleanups.push(() => second.stop())
    await second.status('runner', 'logged_in')
    expect(second.seen.some(e => e.type === 'qr')).toBe(false)
    expect(second.host.sessions.get('stopper').status).toBe('disconnected')
    // the stopped one reconnects on demand, still without a QR
    second.host.sessions.connect('stopper')
    await second.status('stopper', 'logged_in')
    expect(second.seen.some(e => e.type === 'qr')).toBe(false)
  })

  it('a server-side unlink ends in logged_out with credentials wiped and no reconnect attempt', async () => {
    const { h } = await harness()
    h.host.sessions.create({ id: 'unlinked' })
    await h.linkByQr(sim, 'unlinked', '15551110021')
    expect(h.host.store.authState('unlinked').hasCredentials()).toBe(true)
    sim.unlink('15551110021')
    await h.status('unlinked', 'disconnected', 'logged_out')
    expect(h.host.store.authState('unlinked').hasCredentials()).toBe(false)
    const before = h.seen.length
    await new Promise(resolve => setTimeout(resolve, 500))
    expect(h.seen.slice(before).filter(e => e.type === 'status')).toEqual([])
    expect(h.host.store.sessions.get('unlinked')).toMatchObject({ wasRunning: false, phoneNumber: null })
  })

  it('QR expiry ends in qr_timeout without a loop', async () => {
    const { h } = await harness(undefined, { socketOverrides: { qrTimeout: 300 } })
    sim.fault({ action: 'expire-qr', refs: 2 })
    try {
      h.host.sessions.create({ id: 'expiring' })
      await h.status('expiring', 'disconnected', 'qr_timeout', 10_000)
    } finally {
      sim.fault({ action: 'expire-qr', refs: 6 })
    }
    const before = h.seen.length
    await new Promise(resolve => setTimeout(resolve, 500))
    expect(h.seen.slice(before)).toEqual([])
    expect(h.host.store.sessions.get('expiring')!.wasRunning).toBe(false)
  })

  it('dropped connections reconnect with backoff and store no message twice', async () => {
    const { h } = await harness()
    h.host.sessions.create({ id: 'flaky' })
    await h.linkByQr(sim, 'flaky', '15551110031')
    await sim.createAccount('15551110032', 'Sender')
    const since = h.seen.length
    sim.fault({ action: 'drop', phone: '15551110031' })
    const ids = [] as string[]
    for (let i = 0; i < 3; i++) ids.push((await sim.sendText('15551110032', '15551110031', `while away ${i}`)).id)
    await h.status('flaky', 'connecting', 'network', 10_000, since)
    await h.status('flaky', 'logged_in', undefined, 10_000, since)
    for (const id of ids) await h.waitFor('message', e => e.id === id)
    const stored = h.host.store.messages.list({ sessionId: 'flaky', limit: 100 }).filter(m => ids.includes(m.messageId))
    expect(stored).toHaveLength(3)
  })

  it('links by pairing code; the code is returned once the server accepted the request', async () => {
    const { h } = await harness()
    h.host.sessions.create({ id: 'coded' })
    const code = await h.host.sessions.requestPairingCode('coded', '+1 555 111 0041')
    // as people read it, and the same in the pair_code event
    expect(code).toMatch(/^[A-Z0-9]{4}-[A-Z0-9]{4}$/)
    expect((await h.waitFor('pair_code', e => e.sessionId === 'coded')).code).toBe(code)
    await h.status('coded', 'waiting_for_pair_code')
    await sim.enterLinkCode('15551110041', code)
    await h.status('coded', 'logged_in', undefined, 20_000)
    expect(h.host.store.sessions.get('coded')!.phoneNumber).toBe('15551110041')
  })

  it('delete removes every row and file of the session', async () => {
    const { h, dir } = await harness()
    h.host.sessions.create({ id: 'doomed' })
    await h.linkByQr(sim, 'doomed', '15551110051')
    await sim.createAccount('15551110052')
    const { id } = await sim.sendText('15551110052', '15551110051', 'soon gone')
    await h.waitFor('message', e => e.id === id)
    await h.host.sessions.delete('doomed')
    const db = h.host.store.db
    for (const table of ['sessions', 'auth_creds', 'auth_keys', 'messages', 'chats', 'contacts']) {
      const column = table === 'sessions' ? 'id' : 'session_id'
      expect((db.prepare(`SELECT COUNT(*) AS n FROM ${table} WHERE ${column} = ?`).get('doomed') as { n: number }).n).toBe(0)
    }
    expect(existsSync(join(dir, 'sessions', 'doomed'))).toBe(false)
    expect(() => h.host.sessions.get('doomed')).toThrow(/not found/)
  })

  it('connect is idempotent: a second connect opens no second socket', async () => {
    const { h } = await harness()
    h.host.sessions.create({ id: 'once' })
    h.host.sessions.connect('once')
    h.host.sessions.connect('once')
    await h.linkByQr(sim, 'once', '15551110061')
    h.host.sessions.connect('once')
    const account = sim.listAccounts().find(a => a.phone === '15551110061')!
    expect(account.devices.filter(d => d.id !== 0)).toEqual([{ id: expect.any(Number), online: true }])
    expect(h.seen.filter(e => e.type === 'status' && e.sessionId === 'once' && e.status === 'logged_in')).toHaveLength(1)
  })

  it('a connection that never gets past the handshake is ended after the connect timeout and tried again', async () => {
    // a server that accepts the WebSocket and then says nothing, as a stalled network path would
    const silent = new WebSocketServer({ host: '127.0.0.1', port: 0 })
    cleanups.push(async () => { for (const c of silent.clients) c.terminate(); silent.close() })
    await once(silent, 'listening')
    let connections = 0
    silent.on('connection', () => { connections++ })
    const wsUrl = `ws://127.0.0.1:${(silent.address() as AddressInfo).port}/ws/chat`
    const { h } = await harness(undefined, {
      target: { kind: 'simulator', wsUrl, rootPublicKey: sim.info().rootPublicKey },
      socketOverrides: { connectTimeoutMs: 300 }
    })
    const started = Date.now()
    h.host.sessions.create({ id: 'stalled' })
    await h.status('stalled', 'connecting', 'network', 5_000)
    expect(Date.now() - started).toBeGreaterThanOrEqual(250)
    for (const end = Date.now() + 5_000; connections < 2 && Date.now() < end;) await new Promise(resolve => setTimeout(resolve, 20))
    expect(connections).toBeGreaterThanOrEqual(2)
    expect(h.host.sessions.get('stalled')).toMatchObject({ status: 'connecting' })
    await h.host.sessions.disconnect('stalled')
    expect(h.host.sessions.get('stalled')).toMatchObject({ status: 'disconnected' })
  })

  it('gives up with replaced after repeated 440s in a short window, keeping its credentials', async () => {
    const { h } = await harness()
    h.host.sessions.create({ id: 'contested' })
    await h.linkByQr(sim, 'contested', '15551110071')
    for (let i = 0; i < 2; i++) {
      const since = h.seen.length
      sim.fault({ action: 'replace', phone: '15551110071' })
      await h.status('contested', 'connecting', 'replaced', 10_000, since)
      await h.status('contested', 'logged_in', undefined, 10_000, since)
    }
    const since = h.seen.length
    sim.fault({ action: 'replace', phone: '15551110071' })
    await h.status('contested', 'disconnected', 'replaced', 10_000, since)
    expect(h.host.store.authState('contested').hasCredentials()).toBe(true)
    expect(h.host.store.sessions.get('contested')!.wasRunning).toBe(false)
  })

  it('rejects bad input with typed errors and changes nothing', async () => {
    const { h } = await harness()
    expect(() => h.host.sessions.create({ id: '../evil' })).toThrow(/invalid session id/)
    expect(() => h.host.sessions.get('nobody')).toThrow(/not found/)
    h.host.sessions.create({ id: 'dup' })
    expect(() => h.host.sessions.create({ id: 'dup' })).toThrow(/already exists/)
    await expect(h.host.sessions.requestPairingCode('dup', '12ab')).rejects.toThrow(/phone_number/)
    expect(() => h.host.sessions.create({ id: 'hooked', webhook: { url: 'ftp://x' } })).toThrow(/invalid webhook/)
    expect(h.host.store.sessions.get('hooked')).toBeUndefined()
  })
})
