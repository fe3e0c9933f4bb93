/**
 * The REST API's one error shape, `{error: {code, message, details?}}`, and the one place where every error a
 * request can end in (host errors, zod errors, body-parser errors, anything unexpected) becomes a status code.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Logger } from 'pino'
import { z } from 'zod'
import { ConflictError, NotFoundError, OperationError, ValidationError } from '../errors.js'
import { component } from './components.js'

/** Machine-readable codes; each belongs to exactly one status. */
export const API_ERROR_CODES = {
  invalid_json: 400,
  validation_failed: 400,
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  operation_failed: 422,
  internal_error: 500
} as const
export type ApiErrorCode = keyof typeof API_ERROR_CODES

export interface IssueDetail {
  /** the field, dotted (`webhook.url`, `events.0`); empty for the body as a whole */
  path: string
  message: string
}

export interface ApiErrorBody {
  error: { code: ApiErrorCode; message: string; details?: IssueDetail[] }
}

/** An error that already knows its HTTP answer. Route handlers throw the host's errors or this one. */
export class ApiError extends Error {
  readonly status: number
  constructor(readonly code: ApiErrorCode, message: string, readonly details?: IssueDetail[], readonly headers: Record<string, string> = {}) {
    super(message)
    this.name = 'ApiError'
    this.status = API_ERROR_CODES[code]
  }

  body(): ApiErrorBody {
    return { error: { code: this.code, message: this.message, ...(this.details ? { details: this.details } : {}) } }
  }
}

type Issue = { path: readonly PropertyKey[]; message: string; code?: string; keys?: readonly string[] }

const joinPath = (path: readonly PropertyKey[]) => path.map(p => String(p)).join('.')

/** Zod issues as `{path, message}`; an unknown key is reported at its own path, not at its parent's. */
export function issueDetails(issues: readonly Issue[], prefix: readonly PropertyKey[] = []): IssueDetail[] {
  return issues.flatMap(issue => {
    const path = [...prefix, ...issue.path]
    if (issue.code === 'unrecognized_keys' && issue.keys?.length) {
      return issue.keys.map(key => ({ path: joinPath([...path, key]), message: 'unknown field' }))
    }
    return [{ path: joinPath(path), message: issue.message }]
  })
}

const isIssueList = (value: unknown): value is Issue[] =>
  Array.isArray(value) && value.every(i => typeof i === 'object' && i !== null && Array.isArray((i as Issue).path) && typeof (i as Issue).message === 'string')

/** What body-parser (and other http-errors) attach to their errors. */
interface HttpError { status?: number; statusCode?: number; type?: string; expose?: boolean; message: string }
const isHttpError = (err: unknown): err is HttpError =>
  err instanceof Error && (typeof (err as HttpError).status === 'number' || typeof (err as HttpError).statusCode === 'number')

/**
 * Maps anything thrown while answering a request to an ApiError. Unknown errors become a 500 whose message says
 * nothing about the cause (the caller logs the original); `internal` tells it apart.
 */
export function toApiError(err: unknown, bodyLimit = 'the limit'): { error: ApiError; internal: boolean } {
  if (err instanceof ApiError) return { error: err, internal: false }
  if (err instanceof z.ZodError) return { error: new ApiError('validation_failed', 'invalid request', issueDetails(err.issues)), internal: false }
  if (err instanceof ValidationError) {
    return { error: new ApiError('validation_failed', err.message, isIssueList(err.details) ? issueDetails(err.details) : undefined), internal: false }
  }
  if (err instanceof NotFoundError) return { error: new ApiError('not_found', err.message), internal: false }
  if (err instanceof ConflictError) return { error: new ApiError('conflict', err.message), internal: false }
  if (err instanceof OperationError) return { error: new ApiError('operation_failed', err.message), internal: false }
  if (isHttpError(err)) {
    switch (err.type) {
      case 'entity.parse.failed': return { error: new ApiError('invalid_json', 'the request body is not valid JSON'), internal: false }
      case 'entity.too.large': return { error: new ApiError('payload_too_large', `the request body is larger than ${bodyLimit}`), internal: false }
      case 'charset.unsupported':
      case 'encoding.unsupported': return { error: new ApiError('unsupported_media_type', err.message), internal: false }
      case 'request.aborted':
      case 'request.size.invalid': return { error: new ApiError('bad_request', err.message), internal: false }
    }
    const status = err.status ?? err.statusCode ?? 500
    if (status >= 400 && status < 500 && err.expose !== false) {
      // 400 has several codes (invalid_json, validation_failed): a generic one is just a bad request
      const code = status === 400 ? 'bad_request' : (Object.keys(API_ERROR_CODES) as ApiErrorCode[]).find(c => API_ERROR_CODES[c] === status) ?? 'bad_request'
      return { error: new ApiError(code, err.message), internal: false }
    }
  }
  return { error: new ApiError('internal_error', 'internal server error'), internal: true }
}

/** The error shape as a schema, for the OpenAPI document. */
export const errorResponseSchema = component(z.object({
  error: z.object({
    code: z.enum(Object.keys(API_ERROR_CODES) as [ApiErrorCode, ...ApiErrorCode[]]).describe('machine-readable; each code belongs to one status'),
    message: z.string().describe('for people'),
    details: z.array(z.object({
      path: z.string().describe('the field, dotted (`webhook.url`); empty for the body as a whole'),
      message: z.string()
    })).optional().describe('the offending fields, for validation errors')
  })
}), {
  id: 'Error',
  description: 'Every error answer, whatever the route.',
  examples: [{ error: { code: 'validation_failed', message: 'invalid request', details: [{ path: 'webhook.url', message: 'Invalid URL' }] } }]
})

/** Answers `body` as JSON with `status` (an absent body as an empty one), unless an answer has begun already. */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body) ?? ''
  res.statusCode = status
  res.setHeader('Content-Type', 'application/json; charset=utf-8')
  res.setHeader('Content-Length', Buffer.byteLength(text))
  res.end(text)
}

/** Answers `error` in the error shape; an answer already under way is cut off instead (its client sees it fail). */
export function sendApiError(res: ServerResponse, error: ApiError): void {
  if (res.headersSent) {
    res.destroy()
    return
  }
  for (const [name, value] of Object.entries(error.headers)) res.setHeader(name, value)
  sendJson(res, error.status, error.body())
}

/**
 * Answers whatever a request failed with in the error shape, logging the unexpected (with its cause, which the
 * answer never shows) and the refusals (at debug level).
 */
export function answerFailure(req: IncomingMessage, res: ServerResponse, err: unknown, logger: Logger, bodyLimit?: string): void {
  const { error, internal } = toApiError(err, bodyLimit)
  const path = (req.url ?? '/').split('?')[0]
  if (internal) logger.error({ err, method: req.method, path }, 'request failed')
  else logger.debug({ status: error.status, code: error.code, method: req.method, path }, 'request refused')
  sendApiError(res, error)
}
