/** `/session/*`, `/webhook` and `/session/hmac/config`: connecting, linking, status, and the session's webhook. */
import QRCode from 'qrcode'
import { z } from 'zod'
import type { SessionStatus, WebhookConfig } from '../../../../shared/domain.js'
import type { Host } from '../../../host.js'
import { chatOf, readBody, required } from './input.js'
import { WuzapiError } from './respond.js'
import type { WuzapiRoute } from './route.js'
import { subscribedNames, subscription } from './events.js'
import { deviceJid } from './shapes.js'

const S = '/api/v1/sessions/{session_id}'
/** The states in which wuzapi's IsConnected holds: the connection to WhatsApp is up. */
export const CONNECTED: ReadonlySet<SessionStatus> = new Set(['waiting_for_qr', 'waiting_for_pair_code', 'connected', 'logged_in'])
/** How long `Immediate: false` waits for the connection, as wuzapi does. */
const CONNECT_WAIT_MS = 10_000
const MIN_HMAC_KEY = 32

/** Resolves once the session's connection is up; wuzapi's "Failed to Connect" after `timeoutMs`. */
function connected(host: Host, sessionId: string, timeoutMs: number): Promise<void> {
  if (CONNECTED.has(host.sessions.get(sessionId).status)) return Promise.resolve()
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { unsubscribe(); reject(new WuzapiError(500, 'Failed to Connect')) }, timeoutMs)
    timer.unref?.()
    const unsubscribe = host.events.subscribe(event => {
      if (event.type !== 'status' || event.sessionId !== sessionId) return
      if (CONNECTED.has(event.status)) { clearTimeout(timer); unsubscribe(); resolve() }
      if (event.status === 'disconnected') { clearTimeout(timer); unsubscribe(); reject(new WuzapiError(500, 'Failed to Connect')) }
    })
  })
}

function webhookOf(host: Host, sessionId: string): WebhookConfig | null {
  return host.sessions.info(sessionId).webhook
}

/** Sets the webhook in wuzapi's payload format, keeping what the change does not mention. */
function setWebhook(host: Host, sessionId: string, patch: Partial<WebhookConfig> & { url: string }): void {
  const current = webhookOf(host, sessionId)
  const next: WebhookConfig = { ...(current ?? {}), ...patch, format: 'wuzapi' }
  if (next.events === undefined) delete next.events
  if (next.secret === undefined) delete next.secret
  host.sessions.setWebhook(sessionId, next)
}

const connectSchema = z.object({ Subscribe: z.array(z.string()).optional(), Immediate: z.boolean().optional() })
const pairSchema = z.object({ Phone: z.string().optional() })
const setWebhookSchema = z.object({ WebhookURL: z.string().optional(), Events: z.array(z.string()).optional() })
const updateWebhookSchema = z.object({ webhook: z.string().optional(), events: z.array(z.string()).optional(), active: z.boolean().optional() })
const hmacSchema = z.object({ hmac_key: z.string().optional() })

export const sessionRoutes: WuzapiRoute[] = [
  {
    method: 'post', path: '/session/connect', auth: 'session', native: `POST ${S}/connect`,
    async handler({ host, sessionId, body }) {
      const input = readBody(connectSchema, body)
      if (host.sessions.get(sessionId).status !== 'disconnected') throw new WuzapiError(500, 'Already Connected')
      const events = subscription(input.Subscribe)
      const webhook = webhookOf(host, sessionId)
      // Subscriptions filter the webhook; without a webhook URL there is nothing to filter.
      if (webhook) setWebhook(host, sessionId, { url: webhook.url, events: events.events })
      host.sessions.connect(sessionId)
      if (input.Immediate === false) await connected(host, sessionId, CONNECT_WAIT_MS)
      const info = host.sessions.info(sessionId)
      return { details: 'Connected!', events: events.names.join(','), jid: deviceJid(info), webhook: webhook?.url ?? '' }
    }
  },
  {
    method: 'post', path: '/session/disconnect', auth: 'session', native: `POST ${S}/disconnect`,
    async handler({ host, sessionId }) {
      const status = host.sessions.get(sessionId).status
      if (status === 'disconnected') throw new WuzapiError(500, 'No session')
      if (status !== 'logged_in') throw new WuzapiError(500, 'Cannot disconnect because it is not logged in')
      await host.sessions.disconnect(sessionId)
      return { Details: 'Disconnected' }
    }
  },
  {
    method: 'post', path: '/session/logout', auth: 'session', native: `POST ${S}/logout`,
    async handler({ host, sessionId }) {
      const status = host.sessions.get(sessionId).status
      if (status === 'disconnected') throw new WuzapiError(500, 'No session')
      if (status !== 'logged_in') throw new WuzapiError(500, 'Could not logout as it was not logged in')
      await host.sessions.logout(sessionId)
      return { Details: 'Logged out' }
    }
  },
  {
    method: 'get', path: '/session/status', auth: 'session', native: `GET ${S}/status`,
    handler({ host, sessionId }) {
      const status = host.sessions.get(sessionId).status
      return { Connected: CONNECTED.has(status), LoggedIn: status === 'logged_in' }
    }
  },
  {
    method: 'get', path: '/session/qr', auth: 'session', native: `GET ${S}/qr`,
    async handler({ host, sessionId }) {
      const session = host.sessions.get(sessionId)
      if (session.status === 'disconnected') throw new WuzapiError(500, 'No session')
      if (session.status === 'logged_in') throw new WuzapiError(500, 'Already Loggedin')
      const qr = session.qrCodes.at(-1)
      return { QRCode: qr ? await QRCode.toDataURL(qr) : '' }
    }
  },
  {
    method: 'post', path: '/session/pairphone', auth: 'session', native: `POST ${S}/pair`,
    async handler({ host, sessionId, body }) {
      const phone = required(readBody(pairSchema, body).Phone, 'Phone')
      const jid = chatOf(phone)
      if (!jid.endsWith('@s.whatsapp.net')) throw new WuzapiError(400, 'Could not parse Phone')
      if (host.sessions.get(sessionId).isLinked()) throw new WuzapiError(400, 'Already paired')
      const code = await host.sessions.requestPairingCode(sessionId, jid.split('@')[0])
      return { LinkingCode: code }
    }
  },
  {
    method: 'get', path: '/webhook', auth: 'session', native: `GET ${S}/webhook`,
    handler({ host, sessionId }) {
      const webhook = webhookOf(host, sessionId)
      return { subscribe: webhook ? subscribedNames(webhook.events) : [], webhook: webhook?.url ?? '' }
    }
  },
  {
    method: 'post', path: '/webhook', auth: 'session', native: `PUT ${S}/webhook`,
    handler({ host, sessionId, body }) {
      const input = readBody(setWebhookSchema, body)
      const url = input.WebhookURL?.trim() ?? ''
      if (!url) host.sessions.setWebhook(sessionId, null)
      else setWebhook(host, sessionId, { url, ...(input.Events?.length ? { events: subscription(input.Events).events } : {}) })
      return { webhook: url }
    }
  },
  {
    method: 'put', path: '/webhook', auth: 'session', native: `PUT ${S}/webhook`,
    handler({ host, sessionId, body }) {
      const input = readBody(updateWebhookSchema, body)
      const url = input.webhook?.trim() ?? ''
      if (!input.active || !url) host.sessions.setWebhook(sessionId, null)
      else setWebhook(host, sessionId, { url, ...(input.events?.length ? { events: subscription(input.events).events } : {}) })
      return { active: !!input.active && !!url, events: input.events ?? [], webhook: input.active ? url : '' }
    }
  },
  {
    method: 'delete', path: '/webhook', auth: 'session', native: `DELETE ${S}/webhook`,
    handler({ host, sessionId }) {
      host.sessions.setWebhook(sessionId, null)
      return { Details: 'Webhook and events deleted successfully' }
    }
  },
  {
    method: 'post', path: '/session/hmac/config', auth: 'session', native: `PUT ${S}/webhook` + ' (`secret`)',
    handler({ host, sessionId, body }) {
      const key = required(readBody(hmacSchema, body).hmac_key, 'hmac_key')
      if (key.length < MIN_HMAC_KEY) throw new WuzapiError(400, `HMAC key must be at least ${MIN_HMAC_KEY} characters long`)
      const webhook = webhookOf(host, sessionId)
      // WaDock keeps the signing key with the webhook it signs.
      if (!webhook) throw new WuzapiError(400, 'Set a webhook first: the HMAC key signs webhook deliveries')
      setWebhook(host, sessionId, { url: webhook.url, secret: key })
      return { Details: 'HMAC configuration saved successfully' }
    }
  },
  {
    method: 'get', path: '/session/hmac/config', auth: 'session', native: `GET ${S}/webhook`,
    handler({ host, sessionId }) {
      return { hmac_key: webhookOf(host, sessionId)?.secret ? '***' : '' }
    }
  },
  {
    method: 'delete', path: '/session/hmac/config', auth: 'session', native: `PUT ${S}/webhook` + ' (without `secret`)',
    handler({ host, sessionId }) {
      const webhook = webhookOf(host, sessionId)
      if (webhook?.secret) setWebhook(host, sessionId, { url: webhook.url, secret: undefined })
      return { Details: 'HMAC configuration deleted successfully' }
    }
  }
]
