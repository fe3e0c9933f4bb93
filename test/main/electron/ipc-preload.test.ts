/**
 * The bridge contract across Electron's IPC, against a real host on the simulator: the preload exposes exactly the
 * contract's methods as functions, each reaching its handler in main; failures come back as BridgeErrors with the
 * host's message; events queued while the page loads arrive once it subscribes; main refuses foreign senders (other
 * webContents, subframes, pages that are not the app's) without running anything, and invalid input with a
 * validation error.
 *
 * MOCK, deliberately: the Electron binary cannot run here, so `electron` is replaced by the hand-written fake in
 * fake-electron.ts (ipcMain, webContents, contextBridge, ipcRenderer). Everything behind it (preload, IPC layer,
 * bridge, host, Baileys, simulator) is real.
 */
import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { BRIDGE_METHODS, type BridgeEvent, BridgeError, IPC_EVENT_CHANNEL, IPC_READY_CHANNEL, type WaDockBridge, ipcChannelOf } from '../../../src/shared/bridge.js'
import { type Bridge, createBridgeHandlers } from '../../../src/main/bridge/index.js'
import { type BridgeIpc, FORBIDDEN, isTrustedSender, registerBridgeIpc } from '../../../src/main/electron/ipc.js'
import { APP_START_URL, isAppUrl } from '../../../src/main/electron/security-rules.js'
import { openSettingsFile, type SettingsStore } from '../../../src/main/settings/index.js'
import { startSimulator, type Simulator } from '../../../src/sim/index.js'
import { HostHarness, tempDir } from '../../support/host-harness.js'
import { FakeIpcMain, FakeWebContents, fakeIpcRenderer } from './fake-electron.js'

const electron = vi.hoisted(() => ({
  exposed: new Map<string, unknown>(),
  renderer: undefined as ReturnType<typeof import('./fake-electron.js').fakeIpcRenderer> | undefined
}))
vi.mock('electron', () => ({
  contextBridge: { exposeInMainWorld: (key: string, api: unknown) => electron.exposed.set(key, api) },
  ipcRenderer: {
    invoke: (...args: [string, ...unknown[]]) => electron.renderer!.invoke(...args),
    send: (...args: [string, ...unknown[]]) => electron.renderer!.send(...args),
    on: (channel: string, listener: (event: unknown, payload: unknown) => void) => electron.renderer!.on(channel, listener),
    removeListener: (channel: string, listener: (event: unknown, payload: unknown) => void) => electron.renderer!.removeListener(channel, listener)
  }
}))

/** Resolves once `events` holds one that passes `check`. */
function arrival(events: BridgeEvent[], check: (e: BridgeEvent) => boolean, contents: FakeWebContents, timeoutMs = 15_000): Promise<BridgeEvent> {
  return new Promise((resolve, reject) => {
    const look = () => events.find(check)
    const timer = setTimeout(() => { contents.off('sent', wake); reject(new Error('timed out waiting for an event')) }, timeoutMs)
    const wake = () => {
      const hit = look()
      if (hit) { clearTimeout(timer); contents.off('sent', wake); resolve(hit) }
    }
    contents.on('sent', wake)
    wake()
  })
}

describe('bridge over IPC (fake Electron transport, real host)', () => {
  let sim: Simulator
  let dir: Awaited<ReturnType<typeof tempDir>>
  let harness: HostHarness
  let settings: SettingsStore
  let bridge: Bridge
  let ipc: BridgeIpc
  const ipcMain = new FakeIpcMain()
  const contents = new FakeWebContents(APP_START_URL)
  const send = contents.send.bind(contents)
  contents.send = (channel, payload) => { send(channel, payload); contents.emit('sent') }
  let api: WaDockBridge

  beforeAll(async () => {
    sim = await startSimulator()
    dir = await tempDir('wadock-ipc-')
    harness = await HostHarness.start(sim, dir.path)
    settings = openSettingsFile(dir.path)
    bridge = createBridgeHandlers(harness.host, { settings, shell: 'electron', version: '2.0.0' })
    ipc = registerBridgeIpc({
      ipcMain: ipcMain as never, bridge,
      contents: () => (contents.destroyed ? undefined : contents as never),
      isAppUrl: url => isAppUrl(url)
    })
    ipc.attach(contents as never)
    electron.renderer = fakeIpcRenderer(ipcMain, contents)
    await import('../../../src/preload/index.js')
    api = electron.exposed.get('wadock') as WaDockBridge
  })
  afterAll(async () => {
    ipc?.dispose()
    bridge?.close()
    await harness?.stop()
    await sim?.stop()
    await dir?.remove()
  })

  it('registers one handler per method, removing any earlier one first', () => {
    for (const method of BRIDGE_METHODS) {
      const calls = ipcMain.calls.filter(c => c.endsWith(`:${ipcChannelOf(method)}`))
      expect(calls, method).toEqual([`removeHandler:${ipcChannelOf(method)}`, `handle:${ipcChannelOf(method)}`])
    }
    expect([...ipcMain.handlers.keys()].sort()).toEqual(BRIDGE_METHODS.map(ipcChannelOf).sort())
  })

  it('the preload exposes exactly the contract\'s methods, as functions', () => {
    expect([...electron.exposed.keys()]).toEqual(['wadock'])
    expect(Object.keys(api).sort()).toEqual([...BRIDGE_METHODS, 'onEvent'].sort())
    for (const [name, value] of Object.entries(api)) expect(typeof value, name).toBe('function')
  })

  it('calls go round; failures become BridgeErrors with the host\'s message', async () => {
    expect(await api.appInfo()).toMatchObject({ shell: 'electron', version: '2.0.0', sandbox: false })
    expect(await api.listSessions()).toEqual([])
    const missing = await api.getSession('nobody').catch(err => err)
    expect(missing).toBeInstanceOf(BridgeError)
    expect(missing).toMatchObject({ name: 'NotFoundError', message: 'session nobody not found', code: 'not_found' })
    await expect(api.createSession({ id: '../escape' })).rejects.toMatchObject({ name: 'ValidationError', code: 'validation_failed' })
    await expect(api.updateSettings({ rest: { port: 70_000 } })).rejects.toMatchObject({ code: 'validation_failed' })
    expect(await api.listSessions()).toEqual([])
  })

  it('queues events until the page subscribes, then delivers them and every later one; unsubscribing stops them', async () => {
    expect(await api.createSession({ id: 'ipc-1', name: 'IPC' })).toMatchObject({ id: 'ipc-1', name: 'IPC' })
    await harness.waitFor('qr', e => e.sessionId === 'ipc-1')
    expect(contents.sent.filter(s => s.channel === IPC_EVENT_CHANNEL)).toEqual([])

    const first: BridgeEvent[] = []
    const second: BridgeEvent[] = []
    api.onEvent(e => first.push(e))
    expect(first.map(e => e.type)).toContain('qr')
    const unsubscribe = api.onEvent(e => second.push(e))
    const qr = first.find(e => e.type === 'qr' && e.sessionId === 'ipc-1') as Extract<BridgeEvent, { type: 'qr' }>
    await sim.scanQr('15550007777', qr.qr, 'IPC Phone')
    await arrival(second, e => e.type === 'status' && e.sessionId === 'ipc-1' && e.status === 'logged_in', contents)
    unsubscribe()
    const seen = second.length
    expect(await api.disconnectSession('ipc-1')).toMatchObject({ status: 'disconnected' })
    await arrival(first, e => e.type === 'status' && e.sessionId === 'ipc-1' && e.status === 'disconnected', contents)
    expect(second).toHaveLength(seen)
  })

  it('a reload queues events again until the new page subscribes', async () => {
    contents.emit('did-start-loading')
    const before = contents.sent.length
    const since = harness.seen.length
    expect(await api.connectSession('ipc-1')).toMatchObject({ id: 'ipc-1' })
    await harness.status('ipc-1', 'logged_in', undefined, 15_000, since)
    expect(contents.sent.length).toBe(before)
    // the new page's first subscription says it is ready (the fake keeps the old page's listener, so send it by hand)
    ipcMain.emit(IPC_READY_CHANNEL, { sender: contents, senderFrame: contents.mainFrame })
    expect(contents.sent.length).toBeGreaterThan(before)
  })

  it('refuses callers other than the app window\'s main frame showing the app, running nothing', async () => {
    const settingsBefore = readFileSync(settings.path, 'utf8')
    const other = new FakeWebContents(APP_START_URL)
    const callers = [
      { sender: other, senderFrame: other.mainFrame },
      { sender: contents, senderFrame: { url: APP_START_URL } },
      { sender: contents, senderFrame: null }
    ]
    for (const event of callers) {
      expect(await ipcMain.invoke(ipcChannelOf('updateSettings'), event, { closeToTray: false })).toEqual(FORBIDDEN)
      expect(await ipcMain.invoke(ipcChannelOf('deleteSession'), event, 'ipc-1')).toEqual(FORBIDDEN)
    }
    expect(readFileSync(settings.path, 'utf8')).toBe(settingsBefore)
    expect((await api.listSessions()).map(s => s.id)).toEqual(['ipc-1'])

    const navigated = new FakeWebContents('https://evil.example/')
    expect(isTrustedSender({ sender: navigated, senderFrame: navigated.mainFrame } as never, navigated as never, isAppUrl)).toBe(false)
    const destroyed = new FakeWebContents(APP_START_URL)
    destroyed.destroyed = true
    expect(isTrustedSender({ sender: destroyed, senderFrame: destroyed.mainFrame } as never, destroyed as never, isAppUrl)).toBe(false)
    expect(isTrustedSender({ sender: contents, senderFrame: contents.mainFrame } as never, contents as never, isAppUrl)).toBe(true)
  })

  it('rejects invalid input from its own window with a validation error', async () => {
    const own = { sender: contents, senderFrame: contents.mainFrame }
    for (const args of [[42], ['a', 'b'], [], [{ id: 'x' }]]) {
      expect(await ipcMain.invoke(ipcChannelOf('getSession'), own, ...args), JSON.stringify(args))
        .toMatchObject({ ok: false, error: { name: 'ValidationError', code: 'validation_failed' } })
    }
    expect(await ipcMain.invoke(ipcChannelOf('setWebhook'), own, 'ipc-1', { url: 'javascript:alert(1)' })).toMatchObject({ ok: false, error: { code: 'validation_failed' } })
    expect(await ipcMain.invoke(ipcChannelOf('updateSettings'), own, { adminToken: 'short' })).toMatchObject({ ok: false, error: { code: 'validation_failed' } })
  })

  it('dispose removes every handler and the ready listener', () => {
    const local = new FakeIpcMain()
    const other = registerBridgeIpc({ ipcMain: local as never, bridge, contents: () => undefined, isAppUrl })
    expect(local.handlers.size).toBe(BRIDGE_METHODS.length)
    other.dispose()
    expect(local.handlers.size).toBe(0)
    expect(local.listeners.get(IPC_READY_CHANNEL)?.size ?? 0).toBe(0)
  })
})
