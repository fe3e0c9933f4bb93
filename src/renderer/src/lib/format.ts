/** How numbers, times and statuses read in the UI. */
import type { SessionStatus } from '../../../shared/domain.js'

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`
  const units = ['KB', 'MB', 'GB', 'TB']
  let value = bytes / 1024
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit++
  }
  return `${value >= 100 ? value.toFixed(0) : value.toFixed(1)} ${units[unit]}`
}

export function formatTime(ms: number): string {
  return new Date(ms).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false })
}

export function formatDateTime(ms: number | null): string {
  return ms === null ? '—' : new Date(ms).toLocaleString()
}

export const STATUS_LABELS: Record<SessionStatus, string> = {
  disconnected: 'Disconnected',
  connecting: 'Connecting',
  waiting_for_qr: 'Waiting for QR scan',
  waiting_for_pair_code: 'Waiting for pairing code',
  connected: 'Connected',
  logged_in: 'Logged in'
}

/** The tone of a badge: good, waiting, busy or idle (and bad, when a reason says the session failed). */
export function statusTone(status: SessionStatus, reason: string | null): 'good' | 'wait' | 'busy' | 'idle' | 'bad' {
  if (status === 'logged_in') return 'good'
  if (status === 'waiting_for_qr' || status === 'waiting_for_pair_code') return 'wait'
  if (status === 'connecting' || status === 'connected') return 'busy'
  if (reason && reason !== 'user') return 'bad'
  return 'idle'
}

export const REASON_LABELS: Record<string, string> = {
  qr_timeout: 'QR code expired',
  logged_out: 'logged out',
  replaced: 'replaced by another connection',
  network: 'network',
  user: 'by you',
  restart: 'restarting'
}

export function reasonLabel(reason: string): string {
  return REASON_LABELS[reason] ?? reason.replace(/^error: /, 'error: ')
}

/** A pairing code as WhatsApp shows it on the phone: `ABCD-EFGH`. */
export function formatPairCode(code: string): string {
  const plain = code.replace(/[^A-Za-z0-9]/g, '').toUpperCase()
  return plain.length === 8 ? `${plain.slice(0, 4)}-${plain.slice(4)}` : code
}
