/**
 * What went wrong, in terms every dialect maps to its own error shape and status: the host's typed errors, the body
 * parser's failures, and anything unexpected (which says nothing about its cause; the caller logs the original).
 */
import { z } from 'zod'
import { ConflictError, NotFoundError, OperationError, ValidationError } from '../../../errors.js'
import { BodyError } from './body.js'

export type FailureKind =
  | 'invalid_input' // 400
  | 'malformed_body' // 400
  | 'too_large' // 413
  | 'not_found' // 404
  | 'not_linked' // the session has no WhatsApp connection
  | 'conflict' // 409
  | 'refused' // WhatsApp refused or the operation failed (422 natively)
  | 'internal'

export interface Failure {
  kind: FailureKind
  message: string
}

export function classifyError(err: unknown): Failure {
  if (err instanceof BodyError) return { kind: err.failure === 'too_large' ? 'too_large' : 'malformed_body', message: err.message }
  if (err instanceof ValidationError) return { kind: 'invalid_input', message: err.message }
  if (err instanceof z.ZodError) return { kind: 'invalid_input', message: err.issues.map(i => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message)).join('; ') }
  if (err instanceof NotFoundError) return { kind: 'not_found', message: err.message }
  if (err instanceof ConflictError) {
    const notLinked = err.message === 'session not linked' || /not linked|connection to WhatsApp closed/.test(err.message)
    return { kind: notLinked ? 'not_linked' : 'conflict', message: err.message }
  }
  if (err instanceof OperationError) return { kind: 'refused', message: err.message }
  return { kind: 'internal', message: 'internal server error' }
}
