/**
 * What every operation shares: input validation with the shared zod schemas, resolving a linked session, address to
 * JID conversion, stored-message lookup, and turning Baileys' failures into WaDock's typed errors.
 */
import { type WAMessage, type WASocket, proto } from '@whiskeysockets/baileys'
import type { z } from 'zod'
import { parseAddress } from '../../shared/operations.js'
import { ConflictError, NotFoundError, OperationError, ValidationError, WaDockError } from '../errors.js'
import type { Host } from '../host.js'

/** The parts of a host that operations use. */
export type OperationsHost = Pick<Host, 'sessions' | 'store' | 'events' | 'logger' | 'mediaDispatcher'>

export interface OperationOptions {
  /** the largest media accepted, in bytes (default 64 MiB) */
  maxMediaBytes?: number
  /** the time limit for fetching media from a URL (default 30 s) */
  mediaFetchTimeoutMs?: number
  /** how long a send waits for its message to reach the store before it returns anyway (default 5 s) */
  storeWaitMs?: number
}

export const DEFAULT_MAX_MEDIA_BYTES = 64 * 1024 * 1024
export const DEFAULT_MEDIA_FETCH_TIMEOUT_MS = 30_000
const DEFAULT_STORE_WAIT_MS = 5_000

/** Validates `input` with `schema`; a ValidationError names every problem as `path: message`. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const parsed = schema.safeParse(input)
  if (parsed.success) return parsed.data
  const details = parsed.error.issues.map(issue => ({ path: issue.path.map(String).join('.'), message: issue.message }))
  throw new ValidationError(details.map(d => (d.path ? `${d.path}: ${d.message}` : d.message)).join('; '), details)
}

/** The session's socket; NotFoundError for an unknown session, ConflictError when it is not linked and connected. */
export function linkedSocket(host: OperationsHost, sessionId: string): WASocket {
  const session = host.sessions.get(sessionId)
  const sock = session.socket
  if (!sock) throw new ConflictError('session not linked', { sessionId, status: session.status })
  return sock
}

/** A validated address as a JID (the schemas only let valid ones through). */
export function toJid(address: string): string {
  const parsed = parseAddress(address)
  if (!parsed) throw new ValidationError(`not a phone number, group or LID: ${address}`)
  return parsed.jid
}

const userOf = (jid: string) => jid.split('@')[0].split(':')[0]
const serverOf = (jid: string) => jid.split('@')[1] ?? ''
export const normalizeJid = (jid: string) => `${userOf(jid)}@${serverOf(jid)}`

/**
 * Whether a stored message's chat is `chat`, allowing for the same person addressed by phone number in one place
 * and by LID in the other.
 */
function isSameChat(host: OperationsHost, sessionId: string, msg: WAMessage, chat: string): boolean {
  const candidates = [msg.key.remoteJid, msg.key.remoteJidAlt].filter((j): j is string => !!j).map(normalizeJid)
  if (candidates.includes(chat)) return true
  const contact = chat.endsWith('@lid') ? host.store.contacts.findByLid(sessionId, chat)
    : chat.endsWith('@s.whatsapp.net') ? host.store.contacts.findByPn(sessionId, chat) : undefined
  return !!contact && candidates.some(c => c === contact.lid || c === contact.phoneNumber || c === contact.jid)
}

/** A stored message (as Baileys' WebMessageInfo), by id and optionally the chat it must be in; NotFoundError if none. */
export function findStoredMessage(host: OperationsHost, sessionId: string, messageId: string, chat?: string): WAMessage {
  const row = chat ? host.store.messages.get(sessionId, chat, messageId) : undefined
  const raw = row?.raw ?? host.store.messages.getRaw(sessionId, messageId)
  if (!raw) throw new NotFoundError(`message ${messageId} not found`)
  const msg = proto.WebMessageInfo.decode(raw) as WAMessage
  if (chat && !row && !isSameChat(host, sessionId, msg, chat)) throw new NotFoundError(`message ${messageId} not found in chat ${chat}`)
  return msg
}

/** The numeric code of a Baileys failure: an iq error's code, else the Boom status. */
function failureCode(err: unknown): number | undefined {
  const e = err as { data?: unknown; output?: { statusCode?: number } }
  if (typeof e?.data === 'number') return e.data
  const attrsCode = (e?.data as { attrs?: { code?: string } } | undefined)?.attrs?.code
  if (attrsCode && /^\d+$/.test(attrsCode)) return Number(attrsCode)
  return e?.output?.statusCode
}

/**
 * Runs a call to WhatsApp and maps its failure: 404 → NotFoundError, 400 → ValidationError, a closed connection →
 * ConflictError, anything else (401/403 refusals, timeouts…) → OperationError. `what` completes "could not …".
 */
export async function whatsapp<T>(what: string, call: () => Promise<T>, notFound?: string): Promise<T> {
  try {
    return await call()
  } catch (err) {
    if (err instanceof WaDockError) throw err
    const message = err instanceof Error ? err.message : String(err)
    const code = failureCode(err)
    if (code === 404) throw new NotFoundError(notFound ?? `could not ${what}: ${message} (404)`)
    if (code === 400) throw new ValidationError(`could not ${what}: WhatsApp answered ${message} (400)`)
    if (code === 428 || /connection closed/i.test(message)) throw new ConflictError(`could not ${what}: the connection to WhatsApp closed`)
    if (code === 408 || /timed out/i.test(message)) throw new OperationError(`could not ${what}: WhatsApp did not answer in time`)
    throw new OperationError(`could not ${what}: ${message}${code && code !== 500 ? ` (${code})` : ''}`, { code })
  }
}

/**
 * Resolves once message `id` sent by the session is in the store (the message ingest stores what Baileys emits as a
 * fromMe upsert, a moment after the send returns), or after `timeoutMs`; resolves to whether it was stored.
 */
export function waitForStored(host: OperationsHost, sessionId: string, chat: string, id: string, options: OperationOptions): Promise<boolean> {
  if (host.store.messages.get(sessionId, chat, id, true)) return Promise.resolve(true)
  return new Promise(resolve => {
    const timer = setTimeout(() => {
      unsubscribe()
      host.logger.warn({ sessionId, id }, 'a sent message did not reach the store in time')
      resolve(false)
    }, options.storeWaitMs ?? DEFAULT_STORE_WAIT_MS)
    timer.unref?.()
    const unsubscribe = host.events.subscribe(event => {
      if (event.type === 'message' && event.sessionId === sessionId && event.id === id && event.fromMe) {
        clearTimeout(timer)
        unsubscribe()
        resolve(true)
      }
    })
  })
}

/** Phone numbers WhatsApp confirmed, per socket (a new socket starts afresh), for ten minutes. */
const confirmedNumbers = new WeakMap<WASocket, Map<string, { jid: string; until: number }>>()
const CONFIRMED_FOR_MS = 10 * 60_000

/**
 * The JID to send to: groups and LIDs as given; a phone number only once WhatsApp confirms it has an account (the
 * JID it answers with is the canonical one). NotFoundError for a number that is not on WhatsApp.
 */
export async function resolveRecipient(sock: WASocket, jid: string): Promise<string> {
  if (!jid.endsWith('@s.whatsapp.net')) return jid
  let cache = confirmedNumbers.get(sock)
  if (!cache) confirmedNumbers.set(sock, (cache = new Map()))
  const hit = cache.get(jid)
  if (hit && hit.until > Date.now()) return hit.jid
  const [found] = (await whatsapp('check the number', () => sock.onWhatsApp(jid))) ?? []
  if (!found?.exists) throw new NotFoundError(`${userOf(jid)} is not on WhatsApp`)
  const canonical = normalizeJid(found.jid)
  cache.set(jid, { jid: canonical, until: Date.now() + CONFIRMED_FOR_MS })
  return canonical
}
