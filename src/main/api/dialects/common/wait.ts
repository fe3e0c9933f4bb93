/** Waiting for a session to reach a state, on the host's events (the listener and timer go when it resolves). */
import type { SessionStatus } from '../../../../shared/domain.js'
import { OperationError } from '../../../errors.js'
import type { Host } from '../../../host.js'

function waitUntil(host: Host, sessionId: string, ready: () => boolean, timeoutMs: number, what: string): Promise<void> {
  if (ready()) return Promise.resolve()
  return new Promise((resolve, reject) => {
    const done = (err?: Error) => {
      clearTimeout(timer)
      unsubscribe()
      if (err) reject(err)
      else resolve()
    }
    const timer = setTimeout(() => done(new OperationError(`timed out waiting for ${what}`)), timeoutMs)
    const unsubscribe = host.events.subscribe(event => {
      if (event.sessionId !== sessionId) return
      if (event.type === 'session_removed') done(new OperationError('the session was deleted'))
      else if (ready()) done()
      else if (event.type === 'status' && event.status === 'disconnected') done(new OperationError(`the connection closed (${event.reason ?? 'no reason'})`))
    })
  })
}

/** Resolves with the session's newest QR string, once it has one. */
export async function waitForQr(host: Host, sessionId: string, timeoutMs = 20_000): Promise<string> {
  const session = host.sessions.get(sessionId)
  await waitUntil(host, sessionId, () => session.status === 'waiting_for_qr' && session.qrCodes.length > 0, timeoutMs, 'a QR code')
  return session.qrCodes.at(-1)!
}

export function waitForStatus(host: Host, sessionId: string, status: SessionStatus, timeoutMs = 20_000): Promise<void> {
  const session = host.sessions.get(sessionId)
  return waitUntil(host, sessionId, () => session.status === status, timeoutMs, `the status ${status}`)
}
