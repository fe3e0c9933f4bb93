/**
 * wuzapi's envelope: `{code, data, success: true}` for answers and `{code, error, success: false}` for errors, with
 * `code` repeating the HTTP status. Failures of the host map to the statuses wuzapi itself uses: 400 for bad input,
 * 401 without a valid token, 404 for unknown things, 409 for conflicts, 413 for oversized bodies, and 500 for a
 * session without a WhatsApp connection ("No session") and for what WhatsApp refused.
 */
import type { ErrorRequestHandler, Response } from 'express'
import type { Logger } from 'pino'
import { classifyError, type FailureKind } from '../common/index.js'

export interface WuzapiErrorBody { code: number; error: string; success: false }

/** An error that already knows its wuzapi answer. */
export class WuzapiError extends Error {
  constructor(readonly status: number, message: string) {
    super(message)
    this.name = 'WuzapiError'
  }
}

export const missing = (field: string) => new WuzapiError(400, `Missing ${field} in Payload`)

export function sendData(res: Response, data: unknown, status = 200): void {
  res.status(status).json({ code: status, data, success: true })
}

export function sendError(res: Response, status: number, error: string): void {
  res.status(status).json({ code: status, error, success: false } satisfies WuzapiErrorBody)
}

const STATUS: Record<FailureKind, number> = {
  invalid_input: 400, malformed_body: 400, too_large: 413, not_found: 404, not_linked: 500, conflict: 409, refused: 500, internal: 500
}

/** The wuzapi answer for anything a handler throws. */
export function toWuzapiError(err: unknown): { status: number; error: string; internal: boolean } {
  if (err instanceof WuzapiError) return { status: err.status, error: err.message, internal: false }
  const failure = classifyError(err)
  const error = failure.kind === 'malformed_body' ? 'Could not decode Payload'
    : failure.kind === 'not_linked' ? 'No session'
      : failure.kind === 'too_large' ? 'Payload too large'
        : failure.message
  return { status: STATUS[failure.kind], error, internal: failure.kind === 'internal' }
}

export function wuzapiErrorHandler(logger: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const { status, error, internal } = toWuzapiError(err)
    if (internal) logger.error({ err, method: req.method, path: req.path }, 'wuzapi request failed')
    else logger.debug({ status, error, method: req.method, path: req.path }, 'wuzapi request refused')
    if (res.headersSent) {
      res.destroy()
      return
    }
    sendError(res, status, error)
  }
}
