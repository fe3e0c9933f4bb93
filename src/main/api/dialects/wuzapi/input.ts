/**
 * Reading wuzapi request bodies: field names match without regard to case (wuzapi is written in Go, whose JSON
 * decoding does that), a value of the wrong type is "Could not decode Payload", and an absent or empty required
 * field is "Missing <Field> in Payload", as wuzapi answers them.
 */
import { z } from 'zod'
import { parseAddress } from '../../../../shared/operations.js'
import { canonicalKeys } from '../common/index.js'
import { missing, WuzapiError } from './respond.js'

/** Parses `body` with an object schema whose keys are wuzapi's field names. */
export function readBody<S extends z.ZodObject>(schema: S, body: unknown): z.output<S> {
  const value = body === undefined || body === null ? {} : body
  if (typeof value !== 'object' || Array.isArray(value)) throw new WuzapiError(400, 'Could not decode Payload')
  const parsed = schema.safeParse(canonicalKeys(value, Object.keys(schema.shape)))
  if (parsed.success) return parsed.data
  const issue = parsed.error.issues[0]
  throw new WuzapiError(400, `Could not decode Payload: ${issue.path.join('.') || 'body'}: ${issue.message}`)
}

/** The value of a required field; "Missing <field> in Payload" when it is absent or empty. */
export function required<T>(value: T | undefined | null, field: string): T {
  if (value === undefined || value === null || value === '' || (Array.isArray(value) && value.length === 0)) throw missing(field)
  return value
}

/**
 * A wuzapi `Phone`: digits (with an optional `+`) or a JID (`…@s.whatsapp.net`, `…@g.us`, `…@lid`), device JIDs
 * (`5491155553934.0:0@s.whatsapp.net`) included. "Could not parse Phone" otherwise.
 */
export function chatOf(phone: string, field = 'Phone'): string {
  const jid = phone.trim().replace(/^\+/, '').replace(/^(\d+)(?:\.\d+)?(?::\d+)?@/, '$1@')
  const parsed = parseAddress(jid)
  if (!parsed) throw new WuzapiError(400, `Could not parse ${field}`)
  return parsed.jid
}

/** The context of a reply or mention (wuzapi passes WhatsApp's ContextInfo through). */
export const contextInfoSchema = z.preprocess(
  v => canonicalKeys(v, ['StanzaID', 'Participant', 'MentionedJID']),
  z.object({
    StanzaID: z.string().optional(),
    Participant: z.string().optional(),
    MentionedJID: z.array(z.string()).optional()
  })
).optional()
export type ContextInfo = z.output<typeof contextInfoSchema>
