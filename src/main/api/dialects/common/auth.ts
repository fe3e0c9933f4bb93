/**
 * Token checks every dialect shares: a session's own token selects that session, the admin token manages them.
 * Both compare in constant time (the same digest comparison as the native API's Bearer authentication).
 */
import type { Host } from '../../../host.js'
import { tokensEqual } from '../../auth.js'

/** Tokens longer than this are refused without a lookup. */
export const MAX_TOKEN_LENGTH = 512

/** The id of the session whose token this is; undefined for an empty, oversized or unknown token. */
export function sessionIdForToken(host: Pick<Host, 'store'>, token: string | undefined): string | undefined {
  if (!token || token.length > MAX_TOKEN_LENGTH) return undefined
  const session = host.store.sessions.findByToken(token)
  // The lookup is an indexed equality match; comparing again in constant time keeps the decision itself timing-safe.
  return session && tokensEqual(token, session.token) ? session.id : undefined
}

/** Whether `token` is the admin token; an unset (empty) admin token never matches. */
export function isAdminToken(token: string | undefined, adminToken: string): boolean {
  if (!token || token.length > MAX_TOKEN_LENGTH) return false
  return tokensEqual(token, adminToken) && adminToken.length > 0
}

/** A header's value without an optional `Bearer ` prefix (products differ in whether they want one). */
export function stripBearer(value: string | undefined): string | undefined {
  if (value === undefined) return undefined
  const trimmed = value.trim()
  const match = /^Bearer +(\S+)$/i.exec(trimmed)
  return match ? match[1] : trimmed
}
