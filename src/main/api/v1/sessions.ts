/**
 * Seed 004's session routes, exactly, plus logout, storage, webhook, token rotation. Every handler is a thin
 * translation to the host's SessionManager; state and rules live there.
 */
import { randomBytes } from 'node:crypto'
import type { SessionInfo, WebhookConfig } from '../../../shared/domain.js'
import { ConflictError } from '../../errors.js'
import type { Host } from '../../host.js'
import type { ApiRegistry } from '../registry.js'
import {
  createSessionRequestSchema, createSessionResponseSchema, deviceSchema, pairRequestSchema, pairResponseSchema,
  qrResponseSchema, sessionListSchema, sessionPathSchema, sessionSchema, sessionStatusResponseSchema, storageSchema,
  successSchema, tokenResponseSchema, webhookResponseSchema, webhookSchema
} from './schemas.js'

const SESSIONS = '/api/v1/sessions'
const SESSION = `${SESSIONS}/{session_id}`
const tags = ['sessions']

const seconds = (ms: number) => Math.floor(ms / 1000)
const secondsUntil = (ms: number | null) => (ms === null ? 0 : Math.max(0, Math.ceil((ms - Date.now()) / 1000)))

export function toApiSession(info: SessionInfo) {
  return {
    id: info.id,
    name: info.name,
    phone_number: info.phoneNumber,
    push_name: info.pushName,
    status: info.status,
    created_at: seconds(info.createdAt),
    updated_at: seconds(info.updatedAt),
    last_connected_at: info.lastConnectedAt === null ? null : seconds(info.lastConnectedAt),
    is_logged_in: info.isLoggedIn
  }
}

export function toApiStatus(info: SessionInfo) {
  return { status: info.status, is_logged_in: info.isLoggedIn, phone_number: info.phoneNumber, push_name: info.pushName }
}


const newToken = () => randomBytes(24).toString('base64url')

function webhookOf(host: Host, id: string): WebhookConfig | null {
  return host.sessions.info(id).webhook
}

export function registerSessionRoutes(registry: ApiRegistry): void {
  registry.add({
    method: 'post', path: SESSIONS, operationId: 'createSession', tags, access: 'admin',
    summary: 'Create a session',
    description: 'Creates a session and starts connecting to WhatsApp at once (poll the QR code or request a pairing code next). '
      + 'The answer carries the session\'s own token, which is shown only here.',
    body: createSessionRequestSchema,
    response: { status: 201, description: 'The new session and its token.', schema: createSessionResponseSchema },
    errors: [409],
    handler: ({ host, body }) => {
      const info = host.sessions.create({ id: body.id, name: body.name ?? null, webhook: body.webhook ?? null })
      return { session: toApiSession(info), token: host.store.sessions.get(info.id)!.token }
    }
  })

  registry.add({
    method: 'get', path: SESSIONS, operationId: 'listSessions', tags, access: 'admin',
    summary: 'List sessions',
    response: { description: 'Every session, oldest first.', schema: sessionListSchema },
    handler: ({ host }) => {
      const sessions = host.sessions.list().map(toApiSession)
      return { sessions, total: sessions.length }
    }
  })

  registry.add({
    method: 'get', path: SESSION, operationId: 'getSession', tags, access: 'session',
    summary: 'Get a session',
    params: sessionPathSchema,
    response: { description: 'The session.', schema: sessionSchema },
    handler: ({ host, params }) => toApiSession(host.sessions.info(params.session_id))
  })

  registry.add({
    method: 'delete', path: SESSION, operationId: 'deleteSession', tags, access: 'session',
    summary: 'Delete a session',
    description: 'Logs the device out of WhatsApp if it is linked, then removes the session with all its data.',
    params: sessionPathSchema,
    response: { description: 'Deleted.', schema: successSchema },
    handler: async ({ host, params }) => {
      await host.sessions.delete(params.session_id)
      return { success: true as const, message: 'Session deleted' }
    }
  })

  registry.add({
    method: 'get', path: `${SESSION}/status`, operationId: 'getSessionStatus', tags, access: 'session',
    summary: 'Get the connection status',
    params: sessionPathSchema,
    response: { description: 'The current status.', schema: sessionStatusResponseSchema },
    handler: ({ host, params }) => toApiStatus(host.sessions.info(params.session_id))
  })

  registry.add({
    method: 'get', path: `${SESSION}/qr`, operationId: 'getSessionQr', tags, access: 'session',
    summary: 'Get the QR codes to scan',
    description: 'The QR strings of the current linking connection, newest first. WhatsApp rotates them (60 s, then 20 s each); '
      + 'poll again when `timeout_seconds` runs out. Empty while the session is not waiting for a scan.',
    params: sessionPathSchema,
    response: { description: 'The QR codes.', schema: qrResponseSchema },
    handler: ({ host, params }) => {
      host.sessions.record(params.session_id)
      const session = host.sessions.get(params.session_id)
      const linking = session.status === 'waiting_for_qr' || session.status === 'waiting_for_pair_code'
      const qrCodes = linking ? [...session.qrCodes].reverse() : []
      return { qr_codes: qrCodes, timeout_seconds: qrCodes.length ? secondsUntil(session.qrExpiresAt) : 0, status: session.status }
    }
  })

  registry.add({
    method: 'post', path: `${SESSION}/connect`, operationId: 'connectSession', tags, access: 'session',
    summary: 'Connect',
    description: 'Starts connecting (usually not needed: creating a session connects it). A linked session logs in without a QR; '
      + 'calling it while connecting or connected changes nothing.',
    params: sessionPathSchema,
    response: { description: 'The status right after the call (usually `connecting`).', schema: sessionStatusResponseSchema },
    handler: ({ host, params }) => {
      host.sessions.connect(params.session_id)
      return toApiStatus(host.sessions.info(params.session_id))
    }
  })

  registry.add({
    method: 'post', path: `${SESSION}/pair`, operationId: 'pairSession', tags, access: 'session',
    summary: 'Link with a pairing code',
    description: 'Asks WhatsApp for an 8-character code to type on the phone instead of scanning a QR code; connects first if needed.',
    params: sessionPathSchema,
    body: pairRequestSchema,
    response: { description: 'The code to type on the phone.', schema: pairResponseSchema },
    errors: [409, 422],
    handler: async ({ host, params, body }) => {
      const code = await host.sessions.requestPairingCode(params.session_id, body.phone_number)
      return { code, timeout_seconds: secondsUntil(host.sessions.get(params.session_id).qrExpiresAt) }
    }
  })

  registry.add({
    method: 'post', path: `${SESSION}/disconnect`, operationId: 'disconnectSession', tags, access: 'session',
    summary: 'Disconnect',
    description: 'Closes the connection and keeps the credentials: connecting again needs no QR. The session stays disconnected across restarts.',
    params: sessionPathSchema,
    response: { description: 'The status after the connection closed.', schema: sessionStatusResponseSchema },
    handler: async ({ host, params }) => {
      await host.sessions.disconnect(params.session_id)
      return toApiStatus(host.sessions.info(params.session_id))
    }
  })

  registry.add({
    method: 'post', path: `${SESSION}/logout`, operationId: 'logoutSession', tags, access: 'session',
    summary: 'Log out',
    description: 'Unlinks this device from the WhatsApp account and forgets the credentials; the session stays, and links again by QR or code.',
    params: sessionPathSchema,
    response: { description: 'The status after logging out.', schema: sessionStatusResponseSchema },
    handler: async ({ host, params }) => {
      await host.sessions.logout(params.session_id)
      return toApiStatus(host.sessions.info(params.session_id))
    }
  })

  registry.add({
    method: 'get', path: `${SESSION}/device`, operationId: 'getSessionDevice', tags, access: 'session',
    summary: 'Get the linked device',
    params: sessionPathSchema,
    response: { description: 'The linked device.', schema: deviceSchema },
    errors: [409],
    handler: ({ host, params }) => {
      const info = host.sessions.info(params.session_id)
      if (!host.sessions.get(params.session_id).isLinked() || info.phoneNumber === null) {
        throw new ConflictError(`session ${params.session_id} is not linked`)
      }
      return { device_id: info.deviceId ?? 0, phone_number: info.phoneNumber, lid: info.lid, push_name: info.pushName }
    }
  })

  registry.add({
    method: 'get', path: `${SESSION}/storage`, operationId: 'getSessionStorage', tags, access: 'session',
    summary: 'Get storage statistics',
    description: 'Bytes and files on disk (total and per folder), contacts and chats stored, bytes sent and received.',
    params: sessionPathSchema,
    response: { description: 'The statistics.', schema: storageSchema },
    handler: async ({ host, params }) => {
      host.sessions.record(params.session_id)
      const stats = await host.store.storageStats(params.session_id)
      return {
        session_id: stats.name, bytes: stats.bytes, files: stats.files, folders: stats.subs,
        contacts: stats.contacts, chats: stats.chats, bytes_sent: stats.bytesSent, bytes_received: stats.bytesReceived
      }
    }
  })

  registry.add({
    method: 'get', path: `${SESSION}/webhook`, operationId: 'getSessionWebhook', tags, access: 'session',
    summary: 'Get the webhook',
    params: sessionPathSchema,
    response: { description: 'The webhook settings.', schema: webhookResponseSchema },
    handler: ({ host, params }) => ({ webhook: webhookOf(host, params.session_id) })
  })

  registry.add({
    method: 'put', path: `${SESSION}/webhook`, operationId: 'setSessionWebhook', tags, access: 'session',
    summary: 'Set the webhook',
    description: 'Replaces the session\'s webhook settings.',
    params: sessionPathSchema,
    body: webhookSchema,
    response: { description: 'The webhook settings now in force.', schema: webhookResponseSchema },
    handler: ({ host, params, body }) => {
      host.sessions.setWebhook(params.session_id, body)
      return { webhook: webhookOf(host, params.session_id) }
    }
  })

  registry.add({
    method: 'delete', path: `${SESSION}/webhook`, operationId: 'deleteSessionWebhook', tags, access: 'session',
    summary: 'Remove the webhook',
    params: sessionPathSchema,
    response: { description: 'No webhook any more.', schema: webhookResponseSchema },
    handler: ({ host, params }) => {
      host.sessions.setWebhook(params.session_id, null)
      return { webhook: webhookOf(host, params.session_id) }
    }
  })

  registry.add({
    method: 'post', path: `${SESSION}/token/rotate`, operationId: 'rotateSessionToken', tags, access: 'admin',
    summary: 'Rotate the session\'s token',
    description: 'Issues a new token for the session; the old one stops working at once.',
    params: sessionPathSchema,
    response: { description: 'The new token.', schema: tokenResponseSchema },
    handler: ({ host, params }) => {
      host.sessions.record(params.session_id)
      const token = newToken()
      host.store.sessions.update(params.session_id, { token })
      return { session_id: params.session_id, token }
    }
  })
}
