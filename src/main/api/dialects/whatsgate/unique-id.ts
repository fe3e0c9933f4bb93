/**
 * WhatsGate's `unique_id` of a session: it names the session in every command (`WhatsappID`), in its callbacks and in
 * the QR page's address, which needs no token, so it must be unguessable and reveal nothing. It is derived, not
 * stored: 64 bits of HMAC-SHA256 keyed with the session's token, as 20 decimal digits. Rotating the token changes it.
 */
import { createHmac } from 'node:crypto'

export const UNIQUE_ID_PATTERN = /^[0-9]{20}$/

export function uniqueIdOf(token: string): string {
  const mac = createHmac('sha256', token).update('whatsgate unique_id').digest()
  return mac.readBigUInt64BE(0).toString().padStart(20, '0')
}
