/**
 * Witi.me's errors keep the shape of the command's own answer: `generate_qrcode` says `{status: 0, error, ttl: 0}`
 * (seed 001), the commands that answer `sucesso` say `{sucesso: false, error}`, `clear` says `{status: false,
 * message}`, the rest `{status: 0, error}`. The HTTP status tells the kind: 400 malformed, 401 bad `wid`, 404
 * unknown command, 405 wrong method, 409 wrong connection state, 422 WhatsApp refused, 500 anything else.
 */
import { ConflictError, NotFoundError, OperationError, ValidationError } from '../../../errors.js'
import { BodyError } from '../common/index.js'

export class WitimeError extends Error {
  constructor(readonly status: 400 | 401 | 404 | 405 | 409 | 422, message: string) {
    super(message)
  }
}

const SUCESSO_COMMANDS = new Set(['close_session', 'save_session', 'restore_session', 'send_message', 'query_profile'])

export function errorBody(command: string | undefined, message: string): Record<string, unknown> {
  if (command === 'generate_qrcode') return { status: 0, error: message, ttl: 0 }
  if (command === 'clear') return { status: false, message }
  if (command && SUCESSO_COMMANDS.has(command)) return { sucesso: false, error: message }
  return { status: 0, error: message }
}

interface HttpError { status?: number; type?: string }

/** HTTP status and message for anything thrown; `internal` marks the unexpected (logged, never shown). */
export function toWitimeError(err: unknown): { status: number; message: string; internal: boolean } {
  if (err instanceof WitimeError) return { status: err.status, message: err.message, internal: false }
  if (err instanceof ValidationError) return { status: 400, message: err.message, internal: false }
  if (err instanceof NotFoundError) return { status: 404, message: err.message, internal: false }
  if (err instanceof ConflictError) return { status: 409, message: err.message, internal: false }
  if (err instanceof OperationError) return { status: 422, message: err.message, internal: false }
  if (err instanceof BodyError) return { status: err.failure === 'too_large' ? 413 : 400, message: err.message, internal: false }
  const http = err as HttpError
  if (http?.type === 'entity.parse.failed') return { status: 400, message: 'the request body is not valid JSON', internal: false }
  if (http?.type === 'entity.too.large') return { status: 413, message: 'the request body is too large', internal: false }
  if (typeof http?.status === 'number' && http.status >= 400 && http.status < 500) return { status: 400, message: 'malformed request', internal: false }
  return { status: 500, message: 'internal server error', internal: true }
}
