/**
 * Witi.me's commands (`<command>.aspx?wid=<instance>`): every connection command of seed 001, plus
 * `send_message` and `query_profile` as peers.md describes them. Each is a translation to the host's sessions and
 * operations; the connection's state lives in the session.
 */
import QRCode from 'qrcode'
import { z } from 'zod'
import type { WebhookConfig } from '../../../../shared/domain.js'
import { phoneDigits } from '../../../../shared/operations.js'
import type { Host } from '../../../host.js'
import type { Operations } from '../../../operations/index.js'
import { WitimeError } from './errors.js'
import { connectionStatus } from './status.js'
import { waitForQr, waitForStatus } from '../common/wait.js'

export interface CommandContext {
  host: Host
  ops: Operations
  sessionId: string
}

interface Command<S extends z.ZodType> {
  method: 'GET' | 'POST' | 'ANY'
  schema?: S
  run(ctx: CommandContext, input: z.output<S>): Promise<unknown>
}

const command = <S extends z.ZodType>(c: Command<S>) => c as Command<z.ZodType>

/** The QR as Witi.me hands it out: an SVG image, base64-encoded. */
export async function qrSvgBase64(qr: string): Promise<string> {
  return Buffer.from(await QRCode.toString(qr, { type: 'svg', margin: 2 })).toString('base64')
}

const secondsUntil = (ms: number | null) => (ms === null ? 0 : Math.max(0, Math.ceil((ms - Date.now()) / 1000)))
const number = z.union([z.string(), z.number()]).transform(String).refine(v => !!phoneDigits(v), 'must be a phone number with 7 to 15 digits')

/** APIVersionCanBulk turns batching on; from APIVersion 2 the batch is compressed (`BULKGZ,`). */
function batchOf(canBulk: boolean | undefined, version: string | undefined): WebhookConfig['batch'] {
  if (!canBulk) return 'none'
  return Number.parseFloat(version ?? '1') >= 2 ? 'bulkgz' : 'bulk'
}

export const COMMANDS: Record<string, Command<z.ZodType>> = {
  generate_qrcode: command({
    method: 'POST',
    schema: z.object({ user_agent: z.string().max(1024).optional() }),
    async run({ host, sessionId }) {
      const session = host.sessions.get(sessionId)
      if (session.status === 'logged_in') throw new WitimeError(409, 'Connection already established')
      if (session.isLinked()) throw new WitimeError(409, 'A saved connection exists: restore it with restore_session.aspx')
      host.sessions.connect(sessionId)
      const qr = await waitForQr(host, sessionId)
      return { qr: await qrSvgBase64(qr), status: 1, error: '', ttl: secondsUntil(session.qrExpiresAt) }
    }
  }),

  status: command({
    method: 'GET',
    run: ({ host, sessionId }) => connectionStatus(host, sessionId)
  }),

  disconnect: command({
    method: 'GET',
    async run({ host, sessionId }) {
      await host.sessions.logout(sessionId)
      return connectionStatus(host, sessionId)
    }
  }),

  close_session: command({
    method: 'GET',
    async run({ host, sessionId }) {
      await host.sessions.disconnect(sessionId)
      return { sucesso: true, Status: JSON.stringify(await connectionStatus(host, sessionId)) }
    }
  }),

  save_session: command({
    method: 'GET',
    // Credentials are saved as they change (and after the scan); this confirms there is a connection to restore.
    async run({ host, sessionId }) {
      if (!host.sessions.get(sessionId).isLinked()) throw new WitimeError(409, 'There is no authenticated connection to save')
      return { sucesso: true }
    }
  }),

  restore_session: command({
    method: 'GET',
    async run({ host, sessionId }) {
      if (!host.sessions.get(sessionId).isLinked()) throw new WitimeError(409, 'There is no saved connection: generate a qrCode')
      host.sessions.connect(sessionId)
      await waitForStatus(host, sessionId, 'logged_in')
      return { sucesso: true, Status: JSON.stringify(await connectionStatus(host, sessionId)) }
    }
  }),

  clear: command({
    method: 'GET',
    async run({ host, sessionId }) {
      await host.sessions.clear(sessionId)
      return { status: true, message: 'clear ok' }
    }
  }),

  set_config: command({
    method: 'POST',
    schema: z.object({
      webhook: z.union([z.string().trim().url().refine(u => /^https?:\/\//i.test(u), 'must be an http(s) URL'), z.literal('')]).optional(),
      user_agent: z.string().max(1024).optional(),
      APIVersionCanBulk: z.boolean().optional(),
      APIVersion: z.union([z.string(), z.number()]).transform(String).optional()
    }),
    async run({ host, sessionId }, body) {
      const current = host.sessions.info(sessionId).webhook
      const url = body.webhook === undefined ? current?.url : body.webhook || undefined
      const batch = body.APIVersionCanBulk === undefined && body.APIVersion === undefined ? current?.batch : batchOf(body.APIVersionCanBulk, body.APIVersion)
      // what Witi.me has no word for (a signing secret, an event filter set through the native API) is kept
      host.sessions.setWebhook(sessionId, url ? { ...current, url, format: 'witime', ...(batch ? { batch } : {}) } : null)
      return connectionStatus(host, sessionId, { userAgent: body.user_agent })
    }
  }),

  send_message: command({
    method: 'ANY',
    schema: z.object({ number, message: z.string().min(1, 'must not be empty').max(65_536) }),
    async run({ ops, sessionId }, input) {
      const sent = await ops.messages.sendText(sessionId, { to: input.number, text: input.message })
      return { sucesso: true, id: sent.id, timestamp: sent.timestamp }
    }
  }),

  query_profile: command({
    method: 'ANY',
    schema: z.object({ number }),
    async run({ ops, sessionId }, input) {
      const [result] = await ops.contacts.checkNumbers(sessionId, { numbers: [input.number] })
      return { sucesso: true, number: result.number, exists: result.exists, jid: result.jid }
    }
  })
}
