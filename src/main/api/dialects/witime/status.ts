/**
 * Witi.me's connection information (seed 001's `status.aspx`): the numeric status mapped from the session's state,
 * ConnectionInfo, CanRestoreConnection, and the stats and storage measured from the session's real data.
 */
import { Browsers } from '@whiskeysockets/baileys'
import type { Host } from '../../../host.js'

export const WITIME_STATUSES = {
  0: 'noConnection',
  1: 'webSocketOpenining',
  2: 'webSocketOpen',
  3: 'waitForQRAuthentication',
  4: 'Starting',
  10: 'WhatsAppAuthenticated',
  11: 'WhatsAppAuthenticatedConnectionClosed',
  13: 'WhatsAppNotAuthenticated'
} as const
export type WitimeStatusCode = keyof typeof WITIME_STATUSES

/** The browser name WaDock's sessions announce to WhatsApp (Baileys' `Browsers.appropriate('Desktop')`: "Desktop"). */
export const USER_AGENT = Browsers.appropriate('Desktop')[1]

/**
 * logged in → 10; paired, logging in → 4; waiting for a scan or code → 3; connecting → 1. Closed: 13 when the QR
 * expired unscanned; 11 when a linked session's connection ended without being asked to (replaced, failed); 0
 * otherwise, including close_session, as seed 001 shows it (whether it can be restored is CanRestoreConnection).
 */
export function witimeStatusCode(host: Host, sessionId: string): WitimeStatusCode {
  const session = host.sessions.get(sessionId)
  switch (session.status) {
    case 'logged_in': return 10
    case 'connected': return 4
    case 'waiting_for_qr':
    case 'waiting_for_pair_code': return 3
    case 'connecting': return 1
    case 'disconnected':
      if (session.reason === 'qr_timeout') return 13
      if (session.isLinked() && session.reason !== null && session.reason !== 'user') return 11
      return 0
  }
}

export interface StatusOverrides {
  /** set_config echoes the user agent it was given */
  userAgent?: string
}

/** The whole connection information object, in the seed's key order and spelling. */
export async function connectionStatus(host: Host, sessionId: string, overrides: StatusOverrides = {}) {
  const info = host.sessions.info(sessionId)
  const session = host.sessions.get(sessionId)
  const code = witimeStatusCode(host, sessionId)
  const connected = code === 10
  const stats = await host.store.storageStats(sessionId)
  const linked = session.isLinked() && info.phoneNumber !== null
  return {
    status: code,
    statusString: WITIME_STATUSES[code],
    connected,
    // What a multi-device companion knows of its account; the phone's model, battery and versions it never sees.
    ConnectionInfo: linked ? {
      lg: null, lc: null, phone: null, battery: null, tos: 0,
      pushname: info.pushName,
      protoVersion: null, plugged: null, platform: null,
      wid: `${info.phoneNumber}@s.whatsapp.net`,
      connected,
      isResponse: 'false',
      binVersion: null, locales: null
    } : null,
    WebID: sessionId,
    Webhook: info.webhook?.url ?? '',
    UserAgent: overrides.userAgent ?? USER_AGENT,
    CanRestoreConnection: session.isLinked(),
    stats: { Contacts: stats.contacts, Chats: stats.chats, SentBytes: stats.bytesSent, ReceveidBytes: stats.bytesReceived },
    storage: {
      Name: stats.name,
      Bytes: stats.bytes,
      Files: stats.files,
      Subs: stats.subs.map(sub => ({ Name: sub.name, Bytes: sub.bytes, Files: sub.files, Subs: null }))
    }
  }
}
