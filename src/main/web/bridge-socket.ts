/**
 * The bridge over a WebSocket at `/app/bridge` (see the protocol in src/shared/bridge.ts): an upgrade is accepted
 * only with a local Host, a local (or allowed) Origin when one is sent, the bridge subprotocol and the current admin
 * token as `token.<token>` (compared in constant time); otherwise it is refused with 403 or 401 before any
 * WebSocket exists. Each connection then gets every bridge event and answers requests in order of completion. A
 * connection whose token is no longer the admin token (it was rotated) is closed at its next request, after the
 * answer to the rotation itself; until then it hears of nothing but settings changes, never with the new token.
 */
import type { IncomingMessage, Server } from 'node:http'
import type { Duplex } from 'node:stream'
import type { Logger } from 'pino'
import { type WebSocket, WebSocketServer } from 'ws'
import { type BridgeServerMessage, WEB_BRIDGE_PATH, WEB_BRIDGE_PROTOCOL } from '../../shared/bridge.js'
import type { Bridge } from '../bridge/index.js'
import { type AccessRules, offeredProtocols, offeredToken, originRefusal, tokensMatch } from './access.js'

export interface BridgeSocketOptions extends AccessRules {
  bridge: Bridge
  /** the current admin token, read at every check */
  adminToken: () => string
  logger?: Logger
  /** the largest request frame (default 1 MiB: bridge calls carry no media) */
  maxPayload?: number
  /** how often idle connections are pinged; one that missed the last ping is dropped (default 30 s) */
  heartbeatMs?: number
}

/** Close codes sent to the client (4000–4999 are the application's). */
export const CLOSE = { tokenRotated: 4001, badRequest: 4400, goingAway: 1001, tooSlow: 4008 } as const

/** A client that lets this much pile up unread is cut off rather than held in memory. */
const MAX_BUFFERED = 16 * 1024 * 1024

export interface BridgeSocketServer {
  attach(server: Server): void
  close(): Promise<void>
  /** open connections (tests) */
  readonly connections: number
}

function refuse(socket: Duplex, status: 401 | 403 | 404, message: string): void {
  const reason = { 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found' }[status]
  const body = `${message}\n`
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\n`
    + `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`)
}

function isRequest(value: unknown): value is { id: number; method: string; args: unknown[] } {
  if (!value || typeof value !== 'object') return false
  const v = value as Record<string, unknown>
  return Number.isSafeInteger(v.id) && typeof v.method === 'string' && Array.isArray(v.args)
}

export function createBridgeSocketServer(options: BridgeSocketOptions): BridgeSocketServer {
  const { bridge, logger } = options
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: options.maxPayload ?? 1024 * 1024,
    // the token subprotocol is never echoed: only the bridge's own name is
    handleProtocols: protocols => (protocols.has(WEB_BRIDGE_PROTOCOL) ? WEB_BRIDGE_PROTOCOL : false)
  })
  const alive = new WeakMap<WebSocket, boolean>()
  const servers = new Set<Server>()

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = (req.url ?? '').split('?')[0]
    if (path !== WEB_BRIDGE_PATH) {
      // nothing else on this port takes upgrades
      refuse(socket, 404, `no WebSocket at ${path}`)
      return
    }
    const refusal = originRefusal(req, options)
    if (refusal) return refuse(socket, 403, refusal)
    const token = offeredToken(offeredProtocols(req))
    if (token === undefined) return refuse(socket, 401, `offer the subprotocols "${WEB_BRIDGE_PROTOCOL}" and "token.<admin token>"`)
    if (!tokensMatch(token, options.adminToken())) return refuse(socket, 401, 'the admin token is not valid')
    wss.handleUpgrade(req, socket, head, ws => serve(ws, token))
  }

  const serve = (ws: WebSocket, token: string) => {
    alive.set(ws, true)
    ws.on('pong', () => alive.set(ws, true))
    const send = (message: BridgeServerMessage) => {
      if (ws.readyState !== ws.OPEN) return
      if (ws.bufferedAmount > MAX_BUFFERED) {
        ws.close(CLOSE.tooSlow, 'too slow to read')
        return
      }
      ws.send(JSON.stringify(message))
    }
    const feed = bridge.feed.connect(event => {
      // a connection whose token was rotated away hears of nothing more (a revoked token must not keep reading
      // messages and QR codes) but the settings change itself, without the new token
      if (!tokensMatch(token, options.adminToken())) {
        if (event.type === 'settings') send({ event: { ...event, settings: { ...event.settings, adminToken: null } } })
      } else send({ event })
    }, { ready: true })
    ws.on('close', () => feed.close())
    ws.on('error', err => logger?.debug({ err: err.message }, 'bridge socket error'))
    ws.on('message', (data, isBinary) => {
      if (!tokensMatch(token, options.adminToken())) {
        ws.close(CLOSE.tokenRotated, 'the admin token changed')
        return
      }
      let request: unknown
      try {
        request = isBinary ? undefined : JSON.parse(data.toString())
      } catch {
        request = undefined
      }
      if (!isRequest(request)) {
        ws.close(CLOSE.badRequest, 'expected a JSON text frame {id, method, args}')
        return
      }
      const { id, method, args } = request
      void bridge.call(method, args).then(result => send({ id, result }))
    })
  }

  const heartbeat = setInterval(() => {
    for (const ws of wss.clients) {
      if (!alive.get(ws)) {
        ws.terminate()
        continue
      }
      alive.set(ws, false)
      ws.ping()
    }
  }, options.heartbeatMs ?? 30_000)
  heartbeat.unref()

  return {
    get connections() {
      return wss.clients.size
    },
    attach(server) {
      servers.add(server)
      server.on('upgrade', onUpgrade)
    },
    async close() {
      clearInterval(heartbeat)
      for (const server of servers) server.off('upgrade', onUpgrade)
      servers.clear()
      const closing = [...wss.clients].map(ws => new Promise<void>(resolve => {
        ws.once('close', () => resolve())
        ws.close(CLOSE.goingAway, 'WaDock is stopping')
        // a peer that does not answer the close handshake is cut
        setTimeout(() => { ws.terminate(); resolve() }, 1000).unref()
      }))
      await Promise.all(closing)
      await new Promise<void>(resolve => wss.close(() => resolve()))
    }
  }
}
