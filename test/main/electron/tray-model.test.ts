/** The tray's model: aggregate state and icon, tooltip counts, and the menu, from the sessions' state alone. */
import { describe, expect, it } from 'vitest'
import { MAX_MENU_SESSIONS, statusLabel, type TraySession, trayModel } from '../../../src/main/electron/tray-model.js'

const api = { enabled: true, host: '127.0.0.1', port: 7780, url: 'http://127.0.0.1:7780' }
const s = (id: string, status: TraySession['status'], reason: TraySession['reason'] = null, name: string | null = null): TraySession => ({ id, name, status, reason })

describe('tray model', () => {
  it('shows none, with a short menu, when there are no sessions', () => {
    expect(trayModel({ sessions: [], api })).toEqual({
      state: 'none',
      icon: 'tray-none.png',
      tooltip: 'WaDock: no sessions',
      menu: [
        { kind: 'label', label: 'WaDock: no sessions' },
        { kind: 'separator' },
        { kind: 'action', label: 'Open WaDock', action: { type: 'open' } },
        { kind: 'separator' },
        { kind: 'checkbox', label: 'REST API on http://127.0.0.1:7780', checked: true, action: { type: 'setApi', enabled: false } },
        { kind: 'separator' },
        { kind: 'action', label: 'Quit WaDock', action: { type: 'quit' } }
      ]
    })
  })

  it.each([
    ['linked', [s('a', 'logged_in'), s('b', 'logged_in')], 'tray-linked.png', 'WaDock: 2 sessions: 2 linked'],
    ['linked', [s('a', 'logged_in'), s('b', 'disconnected', 'user')], 'tray-linked.png', 'WaDock: 2 sessions: 1 linked, 1 stopped'],
    ['waiting', [s('a', 'logged_in'), s('b', 'waiting_for_qr')], 'tray-waiting.png', 'WaDock: 2 sessions: 1 linked, 1 waiting to be linked'],
    ['waiting', [s('a', 'waiting_for_pair_code')], 'tray-waiting.png', 'WaDock: 1 session: 1 waiting to be linked'],
    ['waiting', [s('a', 'connecting')], 'tray-waiting.png', 'WaDock: 1 session: 1 connecting'],
    ['failing', [s('a', 'logged_in'), s('b', 'waiting_for_qr'), s('c', 'disconnected', 'logged_out')], 'tray-failing.png',
      'WaDock: 3 sessions: 1 linked, 1 waiting to be linked, 1 failing'],
    ['failing', [s('a', 'connecting', 'network')], 'tray-failing.png', 'WaDock: 1 session: 1 failing'],
    ['failing', [s('a', 'disconnected', 'error: boom')], 'tray-failing.png', 'WaDock: 1 session: 1 failing'],
    ['failing', [s('a', 'disconnected', 'qr_timeout')], 'tray-failing.png', 'WaDock: 1 session: 1 failing'],
    ['none', [s('a', 'disconnected', 'user'), s('b', 'disconnected')], 'tray-none.png', 'WaDock: 2 sessions: 2 stopped']
  ] as const)('aggregates to %s: %j', (state, sessions, icon, tooltip) => {
    const model = trayModel({ sessions: [...sessions], api })
    expect({ state: model.state, icon: model.icon, tooltip: model.tooltip }).toEqual({ state, icon, tooltip })
    expect(model.menu[0]).toEqual({ kind: 'label', label: tooltip })
  })

  it('lists sessions by name (else id) with their status, each opening its page', () => {
    const model = trayModel({ sessions: [s('a', 'logged_in', null, 'Sales'), s('b', 'disconnected', 'logged_out'), s('c', 'connecting', 'replaced')], api })
    expect(model.menu.slice(2, 5)).toEqual([
      { kind: 'action', label: 'Sales: linked', action: { type: 'openSession', sessionId: 'a' } },
      { kind: 'action', label: 'b: disconnected (logged out)', action: { type: 'openSession', sessionId: 'b' } },
      { kind: 'action', label: 'c: connecting (after replaced by another connection)', action: { type: 'openSession', sessionId: 'c' } }
    ])
  })

  it('labels every status', () => {
    expect(statusLabel(s('a', 'waiting_for_qr'))).toBe('waiting for a QR scan')
    expect(statusLabel(s('a', 'waiting_for_pair_code'))).toBe('waiting for the pairing code')
    expect(statusLabel(s('a', 'connected'))).toBe('connected, logging in')
    expect(statusLabel(s('a', 'disconnected', 'user'))).toBe('stopped')
    expect(statusLabel(s('a', 'disconnected', 'qr_timeout'))).toBe('disconnected (QR not scanned in time)')
    expect(statusLabel(s('a', 'disconnected', 'error: stream errored'))).toBe('disconnected (error: stream errored)')
    expect(statusLabel(s('a', 'connecting', 'restart'))).toBe('connecting')
  })

  it('sums up sessions beyond the menu\'s limit in one line that opens the window', () => {
    const sessions = Array.from({ length: 200 }, (_, i) => s(`s${i}`, 'logged_in'))
    const model = trayModel({ sessions, api })
    const sessionItems = model.menu.filter(i => i.kind === 'action' && i.action.type === 'openSession')
    expect(sessionItems).toHaveLength(MAX_MENU_SESSIONS)
    expect(model.menu).toContainEqual({ kind: 'action', label: `${200 - MAX_MENU_SESSIONS} more sessions…`, action: { type: 'open' } })
    expect(model.tooltip).toBe('WaDock: 200 sessions: 200 linked')
  })

  it('shows the REST API off with its address, and the item turns it on', () => {
    const model = trayModel({ sessions: [], api: { enabled: false, host: '::1', port: 8000, url: null } })
    expect(model.menu).toContainEqual({ kind: 'checkbox', label: 'REST API off ([::1]:8000)', checked: false, action: { type: 'setApi', enabled: true } })
  })
})
