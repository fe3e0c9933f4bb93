/**
 * DNS-rebinding and cross-site defences. A page on any web site can make a browser send requests to 127.0.0.1:
 * through a rebound DNS name (its `Host` is then that name) or directly (its `Origin` is then that site). The API
 * answers only requests addressed to a loopback name and, when they carry an Origin, coming from a loopback page
 * or an origin the user listed.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'

const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '[::1]'])

/** The host name of a `Host` header value (`name`, `name:port`, `[v6]`, `[v6]:port`), lower-cased. */
export function hostNameOf(hostHeader: string): string | undefined {
  const match = /^(\[[0-9a-f:.]+\]|[^:[\]]+)(?::(\d{1,5}))?$/i.exec(hostHeader.trim())
  return match ? match[1].toLowerCase() : undefined
}

export function isLoopbackHost(hostHeader: string | undefined, extraHostNames: readonly string[] = []): boolean {
  if (!hostHeader) return false
  const name = hostNameOf(hostHeader)
  return !!name && (LOOPBACK_NAMES.has(name) || extraHostNames.includes(name))
}

/** An http(s) origin whose host is a loopback name, on any port. `null` and other schemes are not local. */
export function isLoopbackOrigin(origin: string): boolean {
  let url: URL
  try {
    url = new URL(origin)
  } catch {
    return false
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return false
  return LOOPBACK_NAMES.has(url.hostname.toLowerCase())
}

export interface LocalOnlyOptions {
  /** host names (no port) accepted besides localhost, 127.0.0.1 and [::1], for an API bound to another address */
  allowedHosts?: readonly string[]
  /** exact origins (`https://app.example`) allowed besides loopback ones; also the only ones that get CORS headers */
  allowedOrigins?: readonly string[]
}

/**
 * Why a request with these headers is not local: its Host is not a loopback name (nor an allowed one), or its
 * Origin (when present) is neither local nor allowed. Undefined when it is local. The REST API and the web UI's
 * socket both decide with it.
 */
export function nonLocalReason(
  headers: { host?: string; origin?: string }, { allowedHosts = [], allowedOrigins = [] }: LocalOnlyOptions
): string | undefined {
  if (!isLoopbackHost(headers.host, allowedHosts.map(h => h.toLowerCase()))) {
    return 'the Host header must name this machine (localhost, 127.0.0.1 or [::1])'
  }
  const origin = headers.origin
  if (origin !== undefined && !allowedOrigins.includes(origin) && !isLoopbackOrigin(origin)) {
    return `requests from origin ${JSON.stringify(origin)} are not allowed`
  }
  return undefined
}

/**
 * CORS for the configured origins only: a listed origin gets `Access-Control-Allow-Origin` on its answers and its
 * preflights are answered here (204, true returned) before authentication, as browsers send them without
 * credentials. With no list, no CORS header is ever sent, so browsers keep other origins' scripts from reading any
 * answer.
 */
export function answerCors(req: IncomingMessage, res: ServerResponse, allowedOrigins: readonly string[]): boolean {
  const origin = req.headers.origin
  if (!origin || !allowedOrigins.includes(origin)) return false
  const vary = res.getHeader('Vary')
  res.setHeader('Vary', vary ? `${String(vary)}, Origin` : 'Origin')
  res.setHeader('Access-Control-Allow-Origin', origin)
  if (req.method === 'OPTIONS' && req.headers['access-control-request-method']) {
    res.setHeader('Access-Control-Allow-Methods', 'GET, POST, PUT, PATCH, DELETE')
    res.setHeader('Access-Control-Allow-Headers', 'Authorization, Content-Type')
    res.setHeader('Access-Control-Max-Age', '600')
    res.statusCode = 204
    res.end()
    return true
  }
  return false
}
