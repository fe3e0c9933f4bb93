import { DisconnectReason } from '@whiskeysockets/baileys'
import { describe, expect, it } from 'vitest'
import { backoffDelay, type CloseContext, decideOnClose, DEFAULT_BACKOFF } from '../../../src/main/sessions/reconnect-policy.js'

const ctx = (over: Partial<CloseContext>): CloseContext => ({ statusCode: undefined, linking: false, attempt: 0, recentReplacements: [], now: 1_000_000, ...over })

describe('reconnect policy', () => {
  it('restarts at once after 515', () => {
    expect(decideOnClose(ctx({ statusCode: DisconnectReason.restartRequired }))).toEqual({ action: 'reconnect', delayMs: 0, reason: 'restart' })
  })

  it('stops for good and clears credentials when logged out (401)', () => {
    expect(decideOnClose(ctx({ statusCode: DisconnectReason.loggedOut }))).toEqual({ action: 'stop', reason: 'logged_out', clearCredentials: true })
  })

  it('treats 408 while linking as an expired QR, and otherwise as a lost connection', () => {
    expect(decideOnClose(ctx({ statusCode: 408, linking: true }))).toMatchObject({ action: 'stop', reason: 'qr_timeout', clearCredentials: false })
    expect(decideOnClose(ctx({ statusCode: 408, linking: false }))).toMatchObject({ action: 'reconnect', reason: 'network' })
  })

  it('backs off after a few 440s in a short window, then stops with replaced', () => {
    const now = 1_000_000
    expect(decideOnClose(ctx({ statusCode: 440, recentReplacements: [], now }))).toMatchObject({ action: 'reconnect', reason: 'replaced' })
    expect(decideOnClose(ctx({ statusCode: 440, recentReplacements: [now - 1000], now }))).toMatchObject({ action: 'reconnect' })
    expect(decideOnClose(ctx({ statusCode: 440, recentReplacements: [now - 2000, now - 1000], now }))).toEqual({ action: 'stop', reason: 'replaced', clearCredentials: false })
    // old replacements outside the window do not count
    expect(decideOnClose(ctx({ statusCode: 440, recentReplacements: [now - 120_000, now - 100_000], now }))).toMatchObject({ action: 'reconnect' })
  })

  it('reconnects after network-type closes with capped exponential backoff and jitter', () => {
    for (const code of [428, 500, 503, undefined]) expect(decideOnClose(ctx({ statusCode: code }))).toMatchObject({ action: 'reconnect', reason: 'network' })
    const low = () => 0
    const high = () => 0.999999
    expect(backoffDelay(0, DEFAULT_BACKOFF, low)).toBe(500)
    expect(backoffDelay(0, DEFAULT_BACKOFF, high)).toBe(1000)
    expect(backoffDelay(3, DEFAULT_BACKOFF, low)).toBe(4000)
    expect(backoffDelay(30, DEFAULT_BACKOFF, high)).toBe(DEFAULT_BACKOFF.maxMs)
    expect(backoffDelay(30, DEFAULT_BACKOFF, low)).toBe(DEFAULT_BACKOFF.maxMs / 2)
    const delays = Array.from({ length: 50 }, () => backoffDelay(2, DEFAULT_BACKOFF))
    expect(new Set(delays).size).toBeGreaterThan(1)
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(2000)
    expect(Math.max(...delays)).toBeLessThanOrEqual(4000)
  })

  it('stops without retrying on 403 and 411', () => {
    expect(decideOnClose(ctx({ statusCode: 403 }))).toMatchObject({ action: 'stop', clearCredentials: true })
    expect(decideOnClose(ctx({ statusCode: 411 }))).toMatchObject({ action: 'stop', clearCredentials: false })
  })
})
