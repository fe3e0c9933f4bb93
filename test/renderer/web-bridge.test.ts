/**
 * The web UI's WebSocket client against a real WebSocket server speaking the bridge protocol: subprotocols with
 * the token, request ids, errors as data, events, reconnects, refusal.
 */
import type { AddressInfo } from 'node:net'
import { createServer, type Server } from 'node:http'
import { afterEach, describe, expect, it } from 'vitest'
import { WebSocket, WebSocketServer } from 'ws'
import { BridgeError, type BridgeRequest, WEB_BRIDGE_PROTOCOL } from '../../src/shared/bridge.js'
import { type ConnectionState, WebBridgeClient } from '../../src/renderer/src/bridge/web-bridge.js'
import { takeToken } from '../../src/renderer/src/bridge/token.js'

const TOKEN = 'a-good-admin-token-123'

interface TestServer { url: string; server: Server; wss: WebSocketServer; requests: BridgeRequest[]; close(): Promise<void> }

async function startServer(port = 0, accepted = { token: TOKEN }): Promise<TestServer> {
  const server = createServer()
  const requests: BridgeRequest[] = []
  const wss = new WebSocketServer({
    noServer: true,
    handleProtocols: protocols => (protocols.has(WEB_BRIDGE_PROTOCOL) ? WEB_BRIDGE_PROTOCOL : false)
  })
  server.on('upgrade', (req, socket, head) => {
    const offered = String(req.headers['sec-websocket-protocol'] ?? '').split(',').map(s => s.trim())
    if (!offered.includes(`token.${accepted.token}`)) {
      socket.end('HTTP/1.1 401 Unauthorized\r\ncontent-length: 0\r\n\r\n')
      return
    }
    wss.handleUpgrade(req, socket, head, ws => {
      ws.on('message', data => {
        const request = JSON.parse(String(data)) as BridgeRequest
        requests.push(request)
        if (request.method === 'rotateAdminToken') {
          ws.send(JSON.stringify({ id: request.id, result: { ok: true, value: { adminToken: 'new' } } }))
          ws.close(4001, 'the admin token changed')
        } else if (request.method === 'getSession') {
          ws.send(JSON.stringify({ id: request.id, result: { ok: false, error: { name: 'NotFoundError', message: `session ${String(request.args[0])} not found`, code: 'not_found' } } }))
        } else if (request.method === 'recentEvents') {
          ws.send(JSON.stringify({ event: { type: 'session_removed', sessionId: 'x', at: 1 } }))
          ws.send(JSON.stringify({ id: request.id, result: { ok: true, value: [] } }))
        } else {
          ws.send(JSON.stringify({ id: request.id, result: { ok: true, value: { echo: request.args } } }))
        }
      })
    })
  })
  await new Promise<void>(resolve => server.listen(port, '127.0.0.1', resolve))
  const url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/app/bridge`
  return {
    url, server, wss, requests,
    close: () => new Promise<void>(resolve => {
      for (const c of wss.clients) c.terminate()
      wss.close()
      server.close(() => resolve())
      server.closeAllConnections()
    })
  }
}

const cleanups: (() => unknown)[] = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

function client(url: string, token = TOKEN, isServerUp: () => Promise<boolean> = async () => false) {
  const c = new WebBridgeClient({ url, token, WebSocketImpl: WebSocket as unknown as typeof globalThis.WebSocket, minDelayMs: 20, maxDelayMs: 100, isServerUp })
  cleanups.push(() => c.close())
  return c
}

const waitFor = (c: WebBridgeClient, kind: ConnectionState['kind']) => new Promise<void>(resolve => {
  if (c.connection.kind === kind) return resolve()
  const off = c.onConnection(s => { if (s.kind === kind) { off(); resolve() } })
})

describe('web bridge client', () => {
  it('queues calls until open, matches answers by id, and turns errors back into BridgeErrors', async () => {
    const s = await startServer()
    cleanups.push(() => s.close())
    const c = client(s.url)
    const [a, b] = await Promise.all([c.bridge.connectSession('one'), c.bridge.requestPairingCode('two', '15550001111')])
    expect(a).toEqual({ echo: ['one'] })
    expect(b).toEqual({ echo: ['two', '15550001111'] })
    expect(s.requests.map(r => r.id)).toEqual([1, 2])
    const err = await c.bridge.getSession('nope').catch(e => e)
    expect(err).toBeInstanceOf(BridgeError)
    expect(err).toMatchObject({ name: 'NotFoundError', message: 'session nope not found', code: 'not_found' })
  })

  it('drops a trailing undefined argument, so optional arguments stay absent', async () => {
    const s = await startServer()
    cleanups.push(() => s.close())
    const c = client(s.url)
    await c.bridge.recentEvents(undefined)
    expect(s.requests.at(-1)!.args).toEqual([])
  })

  it('delivers events to every listener until it is removed', async () => {
    const s = await startServer()
    cleanups.push(() => s.close())
    const c = client(s.url)
    const seen: string[] = []
    const off = c.bridge.onEvent(e => seen.push(e.type))
    await c.bridge.recentEvents()
    expect(seen).toEqual(['session_removed'])
    off()
    await c.bridge.recentEvents()
    expect(seen).toEqual(['session_removed'])
  })

  it('reconnects with backoff after the server goes away, and calls made meanwhile go through', async () => {
    let s = await startServer()
    const port = Number(new URL(s.url).port)
    const c = client(s.url)
    await waitFor(c, 'open')
    const states: string[] = []
    c.onConnection(state => states.push(state.kind))
    await s.close()
    await waitFor(c, 'connecting')
    const during = c.bridge.connectSession('later')
    s = await startServer(port)
    cleanups.push(() => s.close())
    await expect(during).resolves.toEqual({ echo: ['later'] })
    expect(states[0]).toBe('connecting')
    expect(states.at(-1)).toBe('open')
  })

  it('a refused token ends in `refused`, failing pending calls with a clear error and without retrying', async () => {
    const s = await startServer()
    cleanups.push(() => s.close())
    const c = client(s.url, 'a-wrong-admin-token-456')
    const call = c.bridge.listSessions()
    await expect(call).rejects.toThrow(/did not accept this admin token/)
    expect(c.connection.kind).toBe('refused')
    await expect(c.bridge.appInfo()).rejects.toThrow(/did not accept/)
    expect(s.requests).toEqual([])
  })

  it('a connection closed because its token was rotated is refused, not retried', async () => {
    const s = await startServer()
    cleanups.push(() => s.close())
    const c = client(s.url)
    const states: ConnectionState[] = []
    c.onConnection(state => states.push(state))
    await expect(c.bridge.rotateAdminToken()).resolves.toEqual({ adminToken: 'new' })
    await waitFor(c, 'refused')
    expect(states.filter(s => s.kind !== 'open')).toEqual([{ kind: 'refused', rotated: true }])
  })

  it('a reconnect refused by a server that is up (its token rotated elsewhere meanwhile) ends in `refused`', async () => {
    const accepted = { token: TOKEN }
    const s = await startServer(0, accepted)
    cleanups.push(() => s.close())
    const c = client(s.url, TOKEN, async () => true)
    await waitFor(c, 'open')
    // the token changes while the connection drops: the server stays up and refuses the old token from now on
    accepted.token = 'another-admin-token-789'
    for (const ws of s.wss.clients) ws.terminate()
    await waitFor(c, 'refused')
    expect(c.connection).toEqual({ kind: 'refused', rotated: true })
    await expect(c.bridge.appInfo()).rejects.toThrow(/did not accept/)
  })

  it('close() fails what is pending and stops reconnecting', async () => {
    const s = await startServer()
    cleanups.push(() => s.close())
    const c = client(s.url)
    await waitFor(c, 'open')
    c.close()
    await expect(c.bridge.appInfo()).rejects.toThrow(/closed/)
    expect(c.connection.kind).toBe('closed')
  })
})

describe('admin token from the address', () => {
  function place(hash: string, stored: string | null = null) {
    const store = new Map<string, string>(stored ? [['wadock.adminToken', stored]] : [])
    const replaced: string[] = []
    return {
      replaced, store,
      place: {
        location: { hash, pathname: '/app/', search: '' },
        history: { replaceState: (_d: unknown, _t: string, url?: string | URL | null) => { replaced.push(String(url)) } },
        storage: { getItem: (k: string) => store.get(k) ?? null, setItem: (k: string, v: string) => { store.set(k, v) }, removeItem: (k: string) => { store.delete(k) } }
      }
    }
  }

  it('takes #token=…, removes it from the address bar and keeps it for this tab', () => {
    const p = place('#token=abc123abc123abc123&view=x')
    expect(takeToken(p.place)).toBe('abc123abc123abc123')
    expect(p.replaced).toEqual(['/app/#view=x'])
    expect(p.store.get('wadock.adminToken')).toBe('abc123abc123abc123')
  })

  it('falls back to the stored token, and to none', () => {
    expect(takeToken(place('', 'stored-token-000000').place)).toBe('stored-token-000000')
    const p = place('')
    expect(takeToken(p.place)).toBeNull()
    expect(p.replaced).toEqual([])
  })
})
