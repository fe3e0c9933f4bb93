/**
 * A WaDock session as WhatsGate shows one (seed 000): numeric `id`, `unique_id`, status and its name, QR, link.
 * `id` is the session's row number; `unique_id` (unique-id.ts) names it everywhere else.
 */
import type { SessionInfo, SessionStatus } from '../../../../shared/domain.js'
import type { Host } from '../../../host.js'
import { tokensEqual } from '../../auth.js'
import { UNIQUE_ID_PATTERN, uniqueIdOf } from './unique-id.js'

export const WHATSGATE_STATUSES = {
  PENDING: 'Initialization',
  AUTH: 'Authorization',
  READY: 'Working',
  DESTROYING: 'Deleting'
} as const
export type WhatsgateStatus = keyof typeof WHATSGATE_STATUSES

export { UNIQUE_ID_PATTERN, uniqueIdOf }

/** The session whose unique id this is; every session is compared, in constant time. */
export function sessionIdByUniqueId(host: Host, uniqueId: string): string | undefined {
  if (!UNIQUE_ID_PATTERN.test(uniqueId)) return undefined
  let found: string | undefined
  for (const record of host.store.sessions.list()) {
    if (tokensEqual(uniqueIdOf(record.token), uniqueId)) found ??= record.id
  }
  return found
}

/** AUTH while waiting for the scan or code, READY once logged in, PENDING otherwise (also while a fresh pairing logs in). */
export function whatsgateStatus(status: SessionStatus): WhatsgateStatus {
  switch (status) {
    case 'waiting_for_qr':
    case 'waiting_for_pair_code':
      return 'AUTH'
    case 'logged_in':
      return 'READY'
    default:
      return 'PENDING'
  }
}

const pad = (n: number) => String(n).padStart(2, '0')

/** `2022-10-11 19:30:14`, in this machine's local time. */
export function formatDateAdd(ms: number): string {
  const d = new Date(ms)
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`
}

export interface WhatsgateSession {
  id: number
  name: string | null
  unique_id: string
  status: WhatsgateStatus
  callback: string | null
  date_add: string
  qr: string | null
  status_name: string
  pushname: string | null
  wid: string | null
  qr_link: string
}

export interface ViewOptions {
  /** the API's own origin as the caller reached it (`http://127.0.0.1:7780`) */
  origin: string
  /** overrides the session's status (DESTROYING while it is deleted) */
  status?: WhatsgateStatus
  /** overrides `qr` (the pairing code right after a CODE session-create) */
  qr?: string
}

/** The session in seed 000's shape, keys in the seed's order. */
export function toWhatsgateSession(host: Host, info: SessionInfo, options: ViewOptions): WhatsgateSession {
  const record = host.sessions.record(info.id)
  const uniqueId = uniqueIdOf(record.token)
  const status = options.status ?? whatsgateStatus(info.status)
  const session = host.sessions.get(info.id)
  const qr = options.qr ?? (info.status === 'waiting_for_qr' ? session.qrCodes.at(-1) ?? null : null)
  const webhook = info.webhook
  return {
    id: host.store.sessions.numberOf(info.id) ?? 0,
    name: info.name,
    unique_id: uniqueId,
    status,
    callback: webhook?.url ?? null,
    date_add: formatDateAdd(info.createdAt),
    qr,
    status_name: WHATSGATE_STATUSES[status],
    pushname: info.pushName,
    wid: info.phoneNumber ? `${info.phoneNumber}@c.us` : null,
    qr_link: `${options.origin}/whatsgate/qr/${uniqueId}`
  }
}
