/** Who may open the web UI and its bridge: the REST API's rules for Host and Origin, and the admin token. */
import type { IncomingMessage } from 'node:http'
import { WEB_BRIDGE_PROTOCOL } from '../../shared/bridge.js'
import { tokensEqual } from '../api/auth.js'
import { nonLocalReason } from '../api/local-origin.js'

export interface AccessRules {
  /** host names accepted in `Host` besides localhost, 127.0.0.1 and [::1] */
  allowedHosts?: readonly string[]
  /** exact origins accepted besides loopback ones */
  allowedOrigins?: readonly string[]
}

/** Why a request is refused by its Host or Origin header; undefined when it is local (or allowed). */
export function originRefusal(req: IncomingMessage, rules: AccessRules): string | undefined {
  return nonLocalReason(req.headers, rules)
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

/** Compares tokens in constant time (the REST API's comparison); an unset expected token matches nothing. */
export function tokensMatch(offered: string, expected: string): boolean {
  return expected.length > 0 && tokensEqual(offered, expected)
}
