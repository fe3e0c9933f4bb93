/**
 * What a session does when its socket closes: a pure function of the close code and the session's recent history,
 * so the policy is tested on its own. The rules are the ones Baileys users learn the hard way (peers.md §3):
 * 515 restarts at once; an expired QR stops instead of looping; a device logged out elsewhere never reconnects;
 * "replaced" stops after a few in a short window; everything network-like backs off exponentially with jitter.
 */
import { DisconnectReason } from '@whiskeysockets/baileys'
import type { SessionReason } from '../../shared/domain.js'

export interface BackoffOptions {
  baseMs: number
  maxMs: number
  /** closes with 440 within `replacedWindowMs` that make a session give up */
  replacedLimit: number
  replacedWindowMs: number
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 1_000, maxMs: 60_000, replacedLimit: 3, replacedWindowMs: 60_000 }

export interface CloseContext {
  statusCode: number | undefined
  /** the socket was still linking (showing QR codes or waiting for a pairing code) */
  linking: boolean
  /** consecutive failed attempts since the last stable connection */
  attempt: number
  /** times of earlier 440 closes */
  recentReplacements: number[]
  now: number
}

export type CloseDecision =
  | { action: 'reconnect'; delayMs: number; reason: SessionReason }
  | { action: 'stop'; reason: SessionReason; clearCredentials: boolean }

export function backoffDelay(attempt: number, options: BackoffOptions, random = Math.random): number {
  const ceiling = Math.min(options.maxMs, options.baseMs * 2 ** Math.min(attempt, 30))
  // "Equal jitter": at least half the ceiling, so a fleet of sessions spreads out but none hammers the server.
  return Math.round(ceiling / 2 + random() * (ceiling / 2))
}

export function decideOnClose(ctx: CloseContext, options: BackoffOptions = DEFAULT_BACKOFF, random = Math.random): CloseDecision {
  const code = ctx.statusCode
  switch (code) {
    case DisconnectReason.restartRequired:
      return { action: 'reconnect', delayMs: 0, reason: 'restart' }
    case DisconnectReason.loggedOut:
      return { action: 'stop', reason: 'logged_out', clearCredentials: true }
    case DisconnectReason.forbidden:
      return { action: 'stop', reason: 'error: forbidden (403)', clearCredentials: true }
    case DisconnectReason.multideviceMismatch:
      return { action: 'stop', reason: 'error: multi-device mismatch (411)', clearCredentials: false }
    case DisconnectReason.connectionReplaced: {
      const recent = ctx.recentReplacements.filter(t => ctx.now - t <= options.replacedWindowMs)
      if (recent.length + 1 >= options.replacedLimit) return { action: 'stop', reason: 'replaced', clearCredentials: false }
      return { action: 'reconnect', delayMs: backoffDelay(ctx.attempt, options, random), reason: 'replaced' }
    }
    case DisconnectReason.timedOut:
      // 408 is both "QR refs attempts ended" and a lost connection; only the first is final.
      if (ctx.linking) return { action: 'stop', reason: 'qr_timeout', clearCredentials: false }
      return { action: 'reconnect', delayMs: backoffDelay(ctx.attempt, options, random), reason: 'network' }
    default:
      return { action: 'reconnect', delayMs: backoffDelay(ctx.attempt, options, random), reason: 'network' }
  }
}
