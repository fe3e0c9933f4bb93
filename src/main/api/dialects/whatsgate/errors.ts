/**
 * WhatsGate's error answer: HTTP 500 with `{name, message, code}`, whatever went wrong (peers.md). `name` and the
 * numeric `code` say what it was, so a script can tell a bad key from an unknown session.
 */
import { ConflictError, NotFoundError, OperationError, ValidationError } from '../../../errors.js'
import { BodyError } from '../common/index.js'

export interface WhatsgateErrorBody {
  name: string
  message: string
  code: number
}

/** An error that already knows its WhatsGate body. */
export class WhatsgateError extends Error {
  constructor(readonly kind: 'AuthError' | 'AccessError' | 'NotFoundError' | 'ValidationError' | 'ConflictError' | 'OperationError', message: string) {
    super(message)
  }
}

const CODES: Record<WhatsgateError['kind'], number> = {
  ValidationError: 400,
  AuthError: 401,
  AccessError: 403,
  NotFoundError: 404,
  ConflictError: 409,
  OperationError: 422
}

interface HttpError { status?: number; type?: string }

/** The body for anything thrown while answering; `internal` marks the unexpected ones (logged, never shown). */
export function toWhatsgateError(err: unknown): { body: WhatsgateErrorBody; internal: boolean } {
  const known = (kind: WhatsgateError['kind'], message: string) => ({ body: { name: kind, message, code: CODES[kind] }, internal: false })
  if (err instanceof WhatsgateError) return known(err.kind, err.message)
  if (err instanceof ValidationError) return known('ValidationError', err.message)
  if (err instanceof NotFoundError) return known('NotFoundError', err.message)
  if (err instanceof ConflictError) return known('ConflictError', err.message)
  if (err instanceof OperationError) return known('OperationError', err.message)
  if (err instanceof BodyError) return known('ValidationError', err.message)
  const http = err as HttpError
  if (http?.type === 'entity.parse.failed') return known('ValidationError', 'the request body is not valid JSON')
  if (http?.type === 'entity.too.large') return known('ValidationError', 'the request body is too large')
  if (typeof http?.status === 'number' && http.status >= 400 && http.status < 500) return known('ValidationError', 'malformed request')
  return { body: { name: 'Error', message: 'internal server error', code: 500 }, internal: true }
}
