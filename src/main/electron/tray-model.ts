/**
 * What the tray shows, as a pure function of the sessions' state and the REST API's: the aggregate state and its
 * icon, the tooltip with counts, and the menu (sessions with their status, Open WaDock, the REST API's address with
 * on/off, Quit). tray.ts turns it into Electron's Tray and Menu; nothing here imports Electron.
 */
import type { SessionInfo, SessionReason, SessionStatus } from '../../shared/domain.js'

/** all linked · some waiting for a QR (or connecting) · some failing · none running */
export type TrayState = 'linked' | 'waiting' | 'failing' | 'none'

export const TRAY_ICONS: Readonly<Record<TrayState, string>> = Object.freeze({
  linked: 'tray-linked.png',
  waiting: 'tray-waiting.png',
  failing: 'tray-failing.png',
  none: 'tray-none.png'
})

export type TraySession = Pick<SessionInfo, 'id' | 'name' | 'status' | 'reason'>

export interface TrayInput {
  sessions: readonly TraySession[]
  api: { enabled: boolean; host: string; port: number; /** where it listens now; null when off or not started */ url: string | null }
}

export type TrayAction =
  | { type: 'open' }
  | { type: 'openSession'; sessionId: string }
  | { type: 'setApi'; enabled: boolean }
  | { type: 'quit' }

export type TrayMenuItem =
  | { kind: 'separator' }
  | { kind: 'label'; label: string }
  | { kind: 'action'; label: string; action: TrayAction }
  | { kind: 'checkbox'; label: string; checked: boolean; action: TrayAction }

export interface TrayModel {
  state: TrayState
  icon: string
  tooltip: string
  menu: TrayMenuItem[]
}

/** How each session counts in the aggregate. */
export type SessionStanding = 'linked' | 'waiting' | 'connecting' | 'failing' | 'stopped'

/** Sessions beyond this many are summed up in one menu line, so the menu stays usable with hundreds. */
export const MAX_MENU_SESSIONS = 15

const FAILURE_REASONS = new Set<SessionReason>(['network', 'replaced', 'logged_out', 'qr_timeout'])

const isFailure = (reason: SessionReason | null) => reason !== null && (FAILURE_REASONS.has(reason) || reason.startsWith('error: '))

export function standingOf(session: TraySession): SessionStanding {
  switch (session.status) {
    case 'logged_in': return 'linked'
    case 'waiting_for_qr':
    case 'waiting_for_pair_code': return 'waiting'
    // reconnecting after a failure is still a failure until it logs in
    case 'connecting':
    case 'connected': return isFailure(session.reason) ? 'failing' : 'connecting'
    case 'disconnected': return isFailure(session.reason) ? 'failing' : 'stopped'
  }
}

const STATUS_LABELS: Record<SessionStatus, string> = {
  logged_in: 'linked',
  connected: 'connected, logging in',
  connecting: 'connecting',
  waiting_for_qr: 'waiting for a QR scan',
  waiting_for_pair_code: 'waiting for the pairing code',
  disconnected: 'disconnected'
}

const REASON_LABELS: Partial<Record<string, string>> = {
  qr_timeout: 'QR not scanned in time',
  logged_out: 'logged out',
  replaced: 'replaced by another connection',
  network: 'network trouble',
  user: 'stopped'
}

export function statusLabel(session: TraySession): string {
  const status = STATUS_LABELS[session.status]
  if (!session.reason || session.status === 'logged_in') return status
  const reason = REASON_LABELS[session.reason] ?? session.reason
  if (session.status === 'disconnected') return session.reason === 'user' ? 'stopped' : `disconnected (${reason})`
  return standingOf(session) === 'failing' ? `${status} (after ${reason})` : status
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`

export function trayModel({ sessions, api }: TrayInput): TrayModel {
  const counts: Record<SessionStanding, number> = { linked: 0, waiting: 0, connecting: 0, failing: 0, stopped: 0 }
  for (const session of sessions) counts[standingOf(session)]++
  const state: TrayState = counts.failing ? 'failing'
    : counts.waiting || counts.connecting ? 'waiting'
      : counts.linked ? 'linked'
        : 'none'

  const parts = [
    counts.linked && `${counts.linked} linked`,
    counts.waiting && `${counts.waiting} waiting to be linked`,
    counts.connecting && `${counts.connecting} connecting`,
    counts.failing && `${counts.failing} failing`,
    counts.stopped && `${counts.stopped} stopped`
  ].filter(Boolean)
  const summary = sessions.length ? `${plural(sessions.length, 'session')}: ${parts.join(', ')}` : 'no sessions'

  const menu: TrayMenuItem[] = [{ kind: 'label', label: `WaDock: ${summary}` }]
  if (sessions.length) {
    menu.push({ kind: 'separator' })
    for (const session of sessions.slice(0, MAX_MENU_SESSIONS)) {
      menu.push({ kind: 'action', label: `${session.name ?? session.id}: ${statusLabel(session)}`, action: { type: 'openSession', sessionId: session.id } })
    }
    if (sessions.length > MAX_MENU_SESSIONS) {
      menu.push({ kind: 'action', label: `${plural(sessions.length - MAX_MENU_SESSIONS, 'more session')}…`, action: { type: 'open' } })
    }
  }
  const address = `${api.host.includes(':') ? `[${api.host}]` : api.host}:${api.port}`
  menu.push(
    { kind: 'separator' },
    { kind: 'action', label: 'Open WaDock', action: { type: 'open' } },
    { kind: 'separator' },
    {
      kind: 'checkbox',
      label: api.enabled ? `REST API on ${api.url ?? `http://${address}`}` : `REST API off (${address})`,
      checked: api.enabled,
      action: { type: 'setApi', enabled: !api.enabled }
    },
    { kind: 'separator' },
    { kind: 'action', label: 'Quit WaDock', action: { type: 'quit' } }
  )
  return { state, icon: TRAY_ICONS[state], tooltip: `WaDock: ${summary}`, menu }
}
