/**
 * `/admin/users`: wuzapi's users are WaDock's sessions, each with the token its user chose. Created stopped: the
 * user connects it with its own token (`/session/connect`), as in wuzapi.
 */
import QRCode from 'qrcode'
import { z } from 'zod'
import type { Host } from '../../../host.js'
import { readBody, required } from './input.js'
import { WuzapiError } from './respond.js'
import type { WuzapiRoute } from './route.js'
import { subscribedNames, subscription } from './events.js'
import { CONNECTED } from './session-routes.js'
import { deviceJid } from './shapes.js'

async function userOf(host: Host, id: string) {
  const info = host.sessions.info(id)
  const session = host.sessions.get(id)
  const linking = session.status === 'waiting_for_qr'
  const qr = linking ? session.qrCodes.at(-1) : undefined
  return {
    id: info.id,
    name: info.name ?? '',
    token: host.store.sessions.get(id)!.token,
    webhook: info.webhook?.url ?? '',
    jid: deviceJid(info),
    qrcode: qr ? await QRCode.toDataURL(qr) : '',
    connected: CONNECTED.has(info.status),
    loggedIn: info.isLoggedIn,
    expiration: 0,
    proxy_url: '',
    events: info.webhook ? subscribedNames(info.webhook.events).join(',') : ''
  }
}

const userNotFound = () => new WuzapiError(404, 'User not found')

const addUserSchema = z.object({
  name: z.string().optional(), token: z.string().optional(), webhook: z.string().optional(), expiration: z.number().optional(), events: z.string().optional()
})

export const adminRoutes: WuzapiRoute[] = [
  {
    method: 'get', path: '/admin/users', auth: 'admin', native: 'GET /api/v1/sessions',
    async handler({ host }) {
      return Promise.all(host.sessions.list().map(s => userOf(host, s.id)))
    }
  },
  {
    method: 'get', path: '/admin/users/:id', auth: 'admin', native: 'GET /api/v1/sessions/{session_id}',
    async handler({ host, params }) {
      if (!host.store.sessions.get(params.id)) throw userNotFound()
      return [await userOf(host, params.id)]
    }
  },
  {
    method: 'post', path: '/admin/users', auth: 'admin', status: 201, native: 'POST /api/v1/sessions (with the chosen token, not connecting)',
    async handler({ host, body }) {
      const input = readBody(addUserSchema, body)
      const name = required(input.name, 'name')
      const token = required(input.token, 'token')
      const events = subscription(input.events)
      if (input.events && events.names.join(',') !== input.events.split(',').map(e => e.trim()).join(',')) {
        const bad = input.events.split(',').map(e => e.trim()).find(e => !events.names.includes(e))
        throw new WuzapiError(400, `Invalid event: ${bad}`)
      }
      const webhook = input.webhook?.trim()
      if (host.store.sessions.findByToken(token)) throw new WuzapiError(409, 'User with the same token already exists')
      const created = host.sessions.create({
        name, token, connect: false,
        webhook: webhook ? { url: webhook, ...(events.events ? { events: events.events } : {}), format: 'wuzapi' } : null
      })
      return { id: created.id, name, token, webhook: webhook ?? '', events: input.events ?? '', expiration: input.expiration ?? 0 }
    }
  },
  {
    method: 'delete', path: '/admin/users/:id', auth: 'admin', native: 'DELETE /api/v1/sessions/{session_id}',
    async handler({ host, params }) {
      if (!host.store.sessions.get(params.id)) throw userNotFound()
      await host.sessions.delete(params.id)
      return { Details: 'User deleted successfully', Id: params.id }
    }
  }
]

