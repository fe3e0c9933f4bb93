/**
 * Who is calling. Two kinds of bearer token: the app-wide admin token, accepted on every route, and each session's
 * own token, which reaches only routes of that session (`/api/v1/sessions/{session_id}/…` with its own id).
 */
import { hash, timingSafeEqual } from 'node:crypto'
import type { IncomingMessage } from 'node:http'
import { ApiError } from './errors.js'

export type Principal = { kind: 'admin' } | { kind: 'session'; sessionId: string }

/**
 * Who may call a route: anyone (`public`), the admin token only (`admin`), the admin token and the token of the
 * session named by the route's `{session_id}` (`session`), or the admin token and any session's token (`any`: a
 * fleet-wide route such as the event stream, whose handler limits a session token to its own session).
 */
export type RouteAccess = 'public' | 'admin' | 'session' | 'any'

/** Tokens longer than this are refused without a lookup. */
const MAX_TOKEN_LENGTH = 512

// the one-shot hash: half the cost of a Hash object, on every request
const digest = (value: string): Buffer => hash('sha256', value, 'buffer')

/** The digest of the last expected token compared (the admin token, read for every request): hashed once, not each time. */
let expectedCache: { token: string; digest: Buffer } | undefined
const expectedDigest = (token: string): Buffer => {
  if (expectedCache?.token !== token) expectedCache = { token, digest: digest(token) }
  return expectedCache.digest
}

/** Constant-time comparison: the digests have equal length whatever the inputs, so timing says nothing about them. */
export function tokensEqual(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), expectedDigest(expected))
}

/** The token of `Authorization: Bearer <token>`; undefined when the header is absent. */
export function bearerToken(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization
  if (header === undefined) return undefined
  const match = /^Bearer +([^\s]+) *$/i.exec(header)
  if (!match) throw unauthorized('the Authorization header must be "Bearer <token>"')
  return match[1]
}

export function unauthorized(message: string): ApiError {
  return new ApiError('unauthorized', message, undefined, { 'WWW-Authenticate': 'Bearer realm="wadock"' })
}

export interface Authenticator {
  adminToken(): string
  /** the session whose token this is */
  sessionByToken(token: string): { id: string; token: string } | undefined
}

/** Resolves the request's token to a principal; throws 401 for a missing or unknown token. */
export function authenticate(req: IncomingMessage, auth: Authenticator): Principal {
  const token = bearerToken(req)
  if (token === undefined) throw unauthorized('missing bearer token')
  if (token.length > MAX_TOKEN_LENGTH) throw unauthorized('invalid token')
  const admin = auth.adminToken()
  // An unset (empty) admin token never matches; the comparison still runs so both paths cost the same.
  if (tokensEqual(token, admin) && admin.length > 0) return { kind: 'admin' }
  const session = auth.sessionByToken(token)
  // The lookup is an indexed equality match; comparing again in constant time keeps the decision itself timing-safe.
  if (session && tokensEqual(token, session.token)) return { kind: 'session', sessionId: session.id }
  throw unauthorized('invalid token')
}

/** 403 when the principal may not use a route of this access level (for `session`, on this session). */
export function authorize(principal: Principal, access: RouteAccess, sessionId: string | undefined): void {
  if (access === 'public' || access === 'any' || principal.kind === 'admin') return
  if (access === 'admin') throw new ApiError('forbidden', 'this route needs the admin token')
  if (sessionId === undefined || principal.sessionId !== sessionId) {
    throw new ApiError('forbidden', 'a session token reaches only its own session')
  }
}
