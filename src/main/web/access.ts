/** Who may open the web UI and its bridge: the REST API's rules for Host and Origin, and the admin token. */
import { createHash, timingSafeEqual } from 'node:crypto'
import type { IncomingMessage } from 'node:http'
import { WEB_BRIDGE_PROTOCOL } from '../../shared/bridge.js'
import { isLoopbackHost, isLoopbackOrigin } from '../api/local-origin.js'

export interface AccessRules {
  /** host names accepted in `Host` besides localhost, 127.0.0.1 and [::1] */
  allowedHosts?: readonly string[]
  /** exact origins accepted besides loopback ones */
  allowedOrigins?: readonly string[]
}

/** Why a request is refused by its Host or Origin header; undefined when it is local (or allowed). */
export function originRefusal(req: IncomingMessage, rules: AccessRules): string | undefined {
  if (!isLoopbackHost(req.headers.host, (rules.allowedHosts ?? []).map(h => h.toLowerCase()))) {
    return 'the Host header must name this machine (localhost, 127.0.0.1 or [::1])'
  }
  const origin = req.headers.origin
  if (origin !== undefined && !(rules.allowedOrigins ?? []).includes(origin) && !isLoopbackOrigin(origin)) {
    return `requests from origin ${JSON.stringify(origin)} are not allowed`
  }
  return undefined
}

const TOKEN_PREFIX = 'token.'

/** The subprotocols a WebSocket upgrade offers (`Sec-WebSocket-Protocol`, comma-separated). */
export function offeredProtocols(req: IncomingMessage): string[] {
  return (req.headers['sec-websocket-protocol'] ?? '').split(',').map(p => p.trim()).filter(Boolean)
}

/** The admin token offered as the `token.<token>` subprotocol, if the bridge's own subprotocol is offered too. */
export function offeredToken(protocols: readonly string[]): string | undefined {
  if (!protocols.includes(WEB_BRIDGE_PROTOCOL)) return undefined
  return protocols.find(p => p.startsWith(TOKEN_PREFIX))?.slice(TOKEN_PREFIX.length)
}

/** Compares tokens in constant time (digests first, so neither length nor content leaks through timing). */
export function tokensMatch(offered: string, expected: string): boolean {
  if (!expected) return false
  const a = createHash('sha256').update(offered).digest()
  const b = createHash('sha256').update(expected).digest()
  return timingSafeEqual(a, b)
}
