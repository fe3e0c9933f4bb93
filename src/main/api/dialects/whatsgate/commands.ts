/**
 * WhatsGate's commands (`POST /api/v1/<command>`), each a zod schema for its body and a translation to the host.
 * Shapes beyond seed 000 (`send`, `check`, the filters of `sessions-get`) follow peers.md; README lists them.
 */
import { z } from 'zod'
import { parseAddress, phoneDigits } from '../../../../shared/operations.js'
import type { Host } from '../../../host.js'
import type { Operations } from '../../../operations/index.js'
import { WhatsgateError } from './errors.js'
import { sessionIdByUniqueId, toWhatsgateSession, WHATSGATE_STATUSES, type WhatsgateStatus } from './view.js'

export type Principal = { kind: 'admin' } | { kind: 'session'; sessionId: string }

export interface CommandContext {
  host: Host
  ops: Operations
  principal: Principal
  /** the API's origin as the caller reached it, for `qr_link` */
  origin: string
}

interface Command<S extends z.ZodType> {
  /** only the admin key may run it */
  adminOnly?: boolean
  schema: S
  run(ctx: CommandContext, body: z.output<S>): Promise<unknown> | unknown
}

const command = <S extends z.ZodType>(c: Command<S>) => c as Command<z.ZodType>

const uniqueId = z.string().trim().min(1, 'is required')
const callbackUrl = z.string().trim().url().refine(u => /^https?:\/\//i.test(u), 'must be an http(s) URL')
const address = z.string().trim().min(1).refine(v => !!parseAddress(v), 'must be a phone number or a WhatsApp id')
const positive = z.coerce.number().int().positive()

/** The session a command names; a session key reaches only its own. */
function sessionOf(ctx: CommandContext, uid: string): string {
  const id = sessionIdByUniqueId(ctx.host, uid)
  if (ctx.principal.kind === 'session' && id !== ctx.principal.sessionId) throw new WhatsgateError('AccessError', 'this key reaches only its own session')
  if (!id) throw new WhatsgateError('NotFoundError', `session ${uid} not found`)
  return id
}

const view = (ctx: CommandContext, id: string, options: { status?: WhatsgateStatus; qr?: string } = {}) =>
  toWhatsgateSession(ctx.host, ctx.host.sessions.info(id), { origin: ctx.origin, ...options })

const createSchema = z.object({
  name: z.string().trim().max(256).optional(),
  callback: callbackUrl.nullish().or(z.literal('')),
  auth_type: z.enum(['QR', 'CODE']).optional(),
  number: z.string().trim().optional()
}).superRefine((body, ctx) => {
  if (body.auth_type === 'CODE' && !(body.number && phoneDigits(body.number))) {
    ctx.addIssue({ code: 'custom', path: ['number'], message: 'is required with auth_type CODE: an international number with 7 to 15 digits' })
  }
})

const sendSchema = z.object({
  WhatsappID: uniqueId,
  async: z.boolean().optional(),
  recipient: z.object({ number: address.optional(), id: address.optional() })
    .refine(r => r.number || r.id, 'needs number or id'),
  message: z.object({
    type: z.string().optional(),
    body: z.string().max(65_536).optional(),
    media: z.object({
      mimetype: z.string().trim().min(1),
      data: z.string().min(1),
      filename: z.string().trim().min(1).max(255).optional()
    }).optional()
  }).refine(m => (m.body !== undefined && m.body.length > 0) || m.media, 'needs a body or media')
})

export const COMMANDS: Record<string, Command<z.ZodType>> = {
  'session-create': command({
    adminOnly: true,
    schema: createSchema,
    async run(ctx, body) {
      const webhook = body.callback ? { url: body.callback, format: 'whatsgate' as const } : null
      const code = body.auth_type === 'CODE'
      const info = ctx.host.sessions.create({ name: body.name ?? null, webhook, connect: !code })
      if (!code) return view(ctx, info.id)
      try {
        const pairing = await ctx.host.sessions.requestPairingCode(info.id, phoneDigits(body.number!)!)
        return view(ctx, info.id, { qr: pairing })
      } catch (err) {
        // a session-create that failed leaves nothing behind
        await ctx.host.sessions.delete(info.id)
        throw err
      }
    }
  }),

  'session-delete': command({
    schema: z.object({ WhatsappID: uniqueId }),
    async run(ctx, body) {
      const id = sessionOf(ctx, body.WhatsappID)
      const last = view(ctx, id, { status: 'DESTROYING' })
      await ctx.host.sessions.delete(id)
      return last
    }
  }),

  'sessions-get': command({
    schema: z.object({
      WhatsappID: uniqueId.optional(),
      name: z.string().optional(),
      status: z.enum(Object.keys(WHATSGATE_STATUSES) as [WhatsgateStatus, ...WhatsgateStatus[]]).optional(),
      page_cnt: positive.max(1000).optional(),
      page: positive.optional()
    }),
    run(ctx, body) {
      const ids = ctx.principal.kind === 'session' ? [ctx.principal.sessionId] : ctx.host.sessions.list().map(s => s.id)
      const all = ids.map(id => view(ctx, id)).filter(s =>
        (body.WhatsappID === undefined || s.unique_id === body.WhatsappID)
        && (body.name === undefined || s.name === body.name)
        && (body.status === undefined || s.status === body.status))
      if (body.page_cnt === undefined) return all
      const start = ((body.page ?? 1) - 1) * body.page_cnt
      return all.slice(start, start + body.page_cnt)
    }
  }),

  'set-hook': command({
    schema: z.object({ WhatsappID: uniqueId, callback: callbackUrl.nullable().or(z.literal('')) }),
    run(ctx, body) {
      const id = sessionOf(ctx, body.WhatsappID)
      // what WhatsGate has no word for (a signing secret, an event filter set through the native API) is kept
      const current = ctx.host.sessions.info(id).webhook
      ctx.host.sessions.setWebhook(id, body.callback ? { ...current, url: body.callback, format: 'whatsgate' } : null)
      return view(ctx, id)
    }
  }),

  send: command({
    schema: sendSchema,
    async run(ctx, body) {
      const id = sessionOf(ctx, body.WhatsappID)
      const to = (body.recipient.id ?? body.recipient.number)!
      const { message } = body
      const media = message.media
      const caption = message.body || undefined
      const sent = !media ? await ctx.ops.messages.sendText(id, { to, text: message.body! })
        : media.mimetype.startsWith('image/') ? await ctx.ops.messages.sendImage(id, { to, image: media.data, mimetype: media.mimetype, caption })
          : media.mimetype.startsWith('video/') ? await ctx.ops.messages.sendVideo(id, { to, video: media.data, mimetype: media.mimetype, caption })
            : media.mimetype.startsWith('audio/') ? await ctx.ops.messages.sendAudio(id, { to, audio: media.data, mimetype: media.mimetype })
              : await ctx.ops.messages.sendDocument(id, { to, document: media.data, mimetype: media.mimetype, fileName: media.filename, caption })
      return { id: sent.id, timestamp: sent.timestamp }
    }
  }),

  check: command({
    schema: z.object({ WhatsappID: uniqueId, number: z.string().trim().refine(v => !!phoneDigits(v), 'must be a phone number') }),
    async run(ctx, body) {
      const id = sessionOf(ctx, body.WhatsappID)
      const [result] = await ctx.ops.contacts.checkNumbers(id, { numbers: [body.number] })
      return { number: result.number, exists: result.exists, wid: result.exists ? `${result.number}@c.us` : null }
    }
  })
}
