/** The simulator's control API as HTTP JSON on its own port; every body is validated and errors are JSON. */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { z } from 'zod'
import type { Simulator } from './simulator.js'
import { NotFoundError } from './simulator.js'

const MAX_BODY_BYTES = 20 * 1024 * 1024

const phoneSchema = z.string().regex(/^\+?[0-9][0-9 ()-]{4,20}$/, 'a phone number of 6 to 15 digits')
const createAccountBody = z.object({ phone: phoneSchema, name: z.string().min(1).max(100).optional() })
const scanBody = z.object({ qr: z.string().min(10).max(2000), name: z.string().min(1).max(100).optional() })
const linkCodeBody = z.object({ code: z.string().regex(/^[0-9A-Za-z]{4}-?[0-9A-Za-z]{4}$/, 'an 8-character pairing code') })
const base64 = z.string().min(1).refine(s => /^[A-Za-z0-9+/]+={0,2}$/.test(s.replace(/\s/g, '')), 'base64')
const sendBody = z.union([
  z.object({ to: z.string().min(3), text: z.string().min(1).max(65_536) }).strict(),
  z.object({ to: z.string().min(3), image: z.object({ base64, mimetype: z.string().regex(/^image\//), caption: z.string().max(4096).optional() }) }).strict(),
  z.object({ to: z.string().min(3), reaction: z.object({ id: z.string().min(1), fromMe: z.boolean(), participant: z.string().optional(), emoji: z.string().max(16) }) }).strict()
])
const faultBody = z.discriminatedUnion('action', [
  z.object({ action: z.literal('drop'), phone: phoneSchema.optional() }),
  z.object({ action: z.literal('refuse'), ms: z.number().int().min(0).max(600_000) }),
  z.object({ action: z.literal('replace'), phone: phoneSchema.optional() }),
  z.object({ action: z.literal('delay'), ms: z.number().int().min(0).max(60_000) }),
  z.object({ action: z.literal('expire-qr'), refs: z.number().int().min(1).max(20).optional() }),
  z.object({ action: z.literal('unavailable'), phone: phoneSchema.optional() })
])
const groupBody = z.object({ creator: phoneSchema, subject: z.string().min(1).max(100), participants: z.array(phoneSchema).max(1024) })

class HttpError extends Error {
  constructor(readonly status: number, message: string, readonly details?: unknown) {
    super(message)
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const json = JSON.stringify(body)
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(json) })
  res.end(json)
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req) {
    size += (chunk as Buffer).length
    if (size > MAX_BODY_BYTES) throw new HttpError(413, 'body too large')
    chunks.push(chunk as Buffer)
  }
  if (!size) return {}
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'))
  } catch {
    throw new HttpError(400, 'malformed JSON')
  }
}

function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const parsed = schema.safeParse(value)
  if (!parsed.success) {
    throw new HttpError(400, 'invalid request', parsed.error.issues.map(i => ({ path: i.path.join('.'), message: i.message })))
  }
  return parsed.data
}

export async function handleControlRequest(sim: Simulator, req: IncomingMessage, res: ServerResponse): Promise<void> {
  try {
    const url = new URL(req.url ?? '/', 'http://sim')
    const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent)
    if (parts[0] !== 'control') throw new HttpError(404, 'not found')
    const method = req.method ?? 'GET'
    const route = `${method} /${parts.slice(1).map((p, i) => (i === 1 && parts[1] === 'accounts' ? ':phone' : p)).join('/')}`
    const phone = parts[2]
    switch (route) {
      case 'GET /info':
        return send(res, 200, sim.info())
      case 'GET /accounts':
        return send(res, 200, sim.listAccounts())
      case 'POST /accounts': {
        const body = parse(createAccountBody, await readJson(req))
        return send(res, 201, await sim.createAccount(body.phone, body.name))
      }
      case 'GET /accounts/:phone':
        return send(res, 200, sim.listAccounts().find(a => a.phone === sim.account(phone).phone))
      case 'POST /accounts/:phone/scan': {
        parse(phoneSchema, phone)
        const body = parse(scanBody, await readJson(req))
        return send(res, 200, await sim.scanQr(phone, body.qr, body.name))
      }
      case 'POST /accounts/:phone/link-code': {
        parse(phoneSchema, phone)
        const body = parse(linkCodeBody, await readJson(req))
        return send(res, 200, await sim.enterLinkCode(phone, body.code))
      }
      case 'POST /accounts/:phone/messages': {
        const body = parse(sendBody, await readJson(req))
        if ('text' in body) return send(res, 200, await sim.sendText(phone, body.to, body.text))
        if ('image' in body) {
          const bytes = Buffer.from(body.image.base64, 'base64')
          return send(res, 200, await sim.sendImage(phone, body.to, { bytes, mimetype: body.image.mimetype, caption: body.image.caption }))
        }
        const { emoji, ...target } = body.reaction
        return send(res, 200, await sim.sendReaction(phone, body.to, target, emoji))
      }
      case 'GET /accounts/:phone/messages':
        return send(res, 200, sim.received(phone).map(({ id, from, chat, type, text, caption, timestamp }) => ({ id, from, chat, type, text, caption, timestamp })))
      case 'POST /accounts/:phone/unlink':
        return send(res, 200, sim.unlink(phone))
      case 'POST /groups': {
        const body = parse(groupBody, await readJson(req))
        const group = sim.createGroup(body.creator, body.subject, body.participants)
        return send(res, 201, { id: `${group.id}@g.us`, subject: group.subject })
      }
      case 'POST /faults': {
        const body = parse(faultBody, await readJson(req))
        return send(res, 200, sim.fault(body))
      }
      default:
        throw new HttpError(404, 'not found')
    }
  } catch (err) {
    if (err instanceof HttpError) return send(res, err.status, { error: err.message, ...(err.details ? { details: err.details } : {}) })
    if (err instanceof NotFoundError) return send(res, 404, { error: err.message })
    const message = err instanceof Error ? err.message : String(err)
    // Errors from the virtual phone (not a participant, not on WhatsApp) are the caller's to fix.
    if (/not on WhatsApp|not a participant|must have/.test(message)) return send(res, 422, { error: message })
    if (!res.headersSent) send(res, 500, { error: 'internal error' })
  }
}
