/**
 * WhatsGate.net addresses devices by phone number. A `{device}` is the session whose linked phone number it is;
 * a session not linked yet has no number, so until then its id or its name stands for it. Linked numbers win over
 * ids and names; among equals the oldest session wins.
 */
import { phoneDigits } from '../../../../shared/operations.js'
import type { Host } from '../../../host.js'

export function sessionOfDevice(host: Host, device: string): string | undefined {
  const value = device.trim()
  if (!value) return undefined
  const records = host.store.sessions.list()
  const digits = phoneDigits(value)
  const byPhone = digits && records.find(r => r.phoneNumber === digits && host.sessions.get(r.id).isLinked())
  if (byPhone) return byPhone.id
  const unlinked = records.filter(r => !host.sessions.get(r.id).isLinked())
  return (unlinked.find(r => r.id === value) ?? unlinked.find(r => r.name === value))?.id
}

export const DEVICE_STATUSES = ['connected', 'disconnected', 'not connected', 'not initialized'] as const
export type DeviceStatus = (typeof DEVICE_STATUSES)[number]

/**
 * connected: logged in. disconnected: linked, connection closed or reconnecting. not connected: not linked, a
 * connection waiting for the scan or the code. not initialized: not linked and not connecting.
 */
export function deviceStatus(host: Host, sessionId: string): DeviceStatus {
  const session = host.sessions.get(sessionId)
  if (session.status === 'logged_in') return 'connected'
  if (session.isLinked()) return 'disconnected'
  return session.status === 'disconnected' ? 'not initialized' : 'not connected'
}
