/**
 * The route registry: the one list of REST routes, from which both the request handler and the OpenAPI document
 * are built, so a route cannot be served without being documented or documented without being served.
 *
 * Adding routes (messages, groups, contacts, presence, events…):
 *  1. Put the request and response zod schemas in `v1/schemas.ts` (or a family file beside it), reusing
 *     `src/shared/domain.ts`. Wrap the ones worth a name in `component(schema, {id, description, examples})`;
 *     a route's body and response schema are named automatically (`<OperationId>Request` / `Response`) otherwise.
 *  2. Write `registerXxxRoutes(registry: ApiRegistry)` in `v1/xxx.ts`, calling `registry.add({...})` per route
 *     with its method, OpenAPI-style path (`/api/v1/sessions/{session_id}/messages`), access, params/query/body
 *     schemas, response schema and extra error statuses. The handler gets parsed input and returns the body.
 *  3. Call it from `registerV1Routes` in `v1/index.ts`.
 * Nothing else: the handler validates input, checks access and maps errors, and `GET /api/v1/openapi.json` (and
 * the docs page) list the route with its security, parameters, body and every response including errors. The
 * OpenAPI test fails if a route's schemas cannot be expressed as JSON Schema.
 *
 * A route of a session (`{session_id}`) answers 404 for an unknown session before it looks at any other input.
 * A route with `upload` also takes multipart/form-data (the file as the `file` part, capped at the body limit);
 * a route whose answer is not JSON (media bytes, an event stream) writes it to `res` itself and names its
 * `response.contentType` for the document.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { parse as parseQuery } from 'node:querystring'
// only for multer's signature: it takes plain Node requests and responses as they are
import type { Request, Response } from 'express'
import multer, { MulterError } from 'multer'
import type { Logger } from 'pino'
import { z } from 'zod'
import { SESSION_ID_PATTERN } from '../../shared/domain.js'
import type { Host } from '../host.js'
import { authenticate, type Authenticator, authorize, type Principal, type RouteAccess } from './auth.js'
import { componentOf, isComponentId } from './components.js'
import { DEFAULT_BODY_LIMIT } from './constants.js'
import { answerFailure, ApiError, issueDetails, sendJson } from './errors.js'
import { buildOpenApiDocument, type OpenApiDocument, type OpenApiInfo } from './openapi.js'
import { readJsonBody } from './json-body.js'
import { RouteTable } from './route-table.js'

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete'

/** Error statuses a route may declare besides those implied by its shape (see openapi.ts `errorStatusesOf`). */
export type DeclaredErrorStatus = 409 | 422

/** The file of a multipart upload. */
export interface UploadedFile {
  bytes: Buffer
  /** as the client named and typed the part */
  fileName: string | undefined
  mimetype: string | undefined
}

export interface RouteContext<P, Q, B> {
  host: Host
  /** undefined on public routes */
  principal: Principal | undefined
  params: P
  query: Q
  body: B
  /** the `file` part of a multipart upload (routes with `upload`); its bytes are also in `body[upload.field]` */
  file: UploadedFile | undefined
  req: IncomingMessage
  res: ServerResponse
  /** whether the request's token still reaches what it reached when the request came (for long-lived answers) */
  stillAuthorized(): boolean
}

type ObjectSchema = z.ZodObject<z.ZodRawShape>
type NoFields = z.ZodObject<Record<string, never>>

export interface RouteSpec<P extends ObjectSchema, Q extends ObjectSchema, B extends z.ZodType, R extends z.ZodType> {
  method: HttpMethod
  /** OpenAPI-style template: `/api/v1/sessions/{session_id}` */
  path: string
  operationId: string
  summary: string
  description?: string
  tags: string[]
  access: RouteAccess
  /** one key per `{name}` of the path */
  params?: P
  query?: Q
  /** the JSON body; an absent body is validated as `{}` */
  body?: B
  /**
   * The body may also come as multipart/form-data: the part named `file` takes the place of the body's `field`
   * (handed on as bytes), the other parts are the other fields (`"true"`, numbers and JSON arrays converted as
   * the schema expects).
   */
  upload?: { field: string; description: string }
  /** `contentType`: for answers that are not JSON, which the handler writes to `res` itself */
  response: { status?: 200 | 201; description: string; schema: R; contentType?: string }
  errors?: DeclaredErrorStatus[]
  handler(ctx: RouteContext<z.output<P>, z.output<Q>, z.output<B>>): z.input<R> | Promise<z.input<R>>
}

export type RegisteredRoute = RouteSpec<ObjectSchema, ObjectSchema, z.ZodType, z.ZodType>

export interface HandlerDeps {
  host: Host
  authenticator: Authenticator
  logger: Logger
  /** check every answer against its response schema (tests turn this on); a mismatch is a 500 */
  validateResponses?: boolean
  /** the largest JSON body or multipart upload, in bytes or as "25mb" (default DEFAULT_BODY_LIMIT) */
  bodyLimit?: string | number
}

/** The request's media type, lower-case, without parameters ("" when there is no Content-Type). */
const mediaTypeOf = (req: IncomingMessage) => (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase()
const isJsonType = (type: string) => type === 'application/json' || /^application\/[^/]+\+json$/.test(type)
const pathParamsOf = (path: string) => [...path.matchAll(/\{([A-Za-z_][A-Za-z0-9_]*)\}/g)].map(m => m[1])
const pascal = (s: string) => s.replace(/(^|[^A-Za-z0-9])([a-z])/g, (_, _sep, c: string) => c.toUpperCase()).replace(/[^A-Za-z0-9]/g, '')

/** A non-empty body is on its way (an empty one, as fetch sends for a bodiless POST, counts as none). */
const hasBody = (req: IncomingMessage) => req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0

/** Built once: a zod schema compiles itself on first use, which is too costly to repeat for every request. */
const NO_FIELDS = z.object({})

function parseInput<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const parsed = schema.safeParse(value)
  if (!parsed.success) throw new ApiError('validation_failed', 'invalid request', issueDetails(parsed.error.issues))
  return parsed.data
}

const UNITS: Record<string, number> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 }

/** "25mb" → bytes (the units body-parser's `limit` takes). */
export function limitBytes(limit: string | number): number {
  if (typeof limit === 'number') return limit
  const match = /^\s*(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)?\s*$/i.exec(limit)
  if (!match) throw new Error(`not a size: ${limit}`)
  return Math.floor(Number(match[1]) * UNITS[(match[2] ?? 'b').toLowerCase()])
}

/** The innermost type of an optional, nullable or defaulted schema. */
function coreOf(schema: z.ZodType): z.ZodType {
  let s = schema as z.ZodType & { def: { type: string; innerType?: z.ZodType; in?: z.ZodType } }
  while (s.def.innerType || (s.def.type === 'pipe' && s.def.in)) s = (s.def.innerType ?? s.def.in) as typeof s
  return s
}

/** Form fields are strings: converts those the body schema wants as booleans, numbers, arrays or objects. */
function coerceFormFields(schema: z.ZodType, fields: Record<string, unknown>): Record<string, unknown> {
  const shape = (schema as Partial<ObjectSchema>).shape ?? {}
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(fields)) {
    const field = shape[key] as z.ZodType | undefined
    const type = field ? coreOf(field).def.type : undefined
    const one = (v: unknown): unknown => {
      if (typeof v !== 'string') return v
      if (type === 'boolean') return v === 'true' ? true : v === 'false' ? false : v
      if (type === 'number') return v.trim() !== '' && Number.isFinite(Number(v)) ? Number(v) : v
      if ((type === 'object' || type === 'array') && /^\s*[[{]/.test(v)) {
        try { return JSON.parse(v) as unknown } catch { return v }
      }
      return v
    }
    const converted = Array.isArray(value) ? value.map(one) : one(value)
    out[key] = type === 'array' && !Array.isArray(converted) ? [converted] : converted
  }
  return out
}

/** Reads a multipart body: every text field, and at most one file, the `file` part, up to `limit` bytes. */
function readMultipart(req: IncomingMessage, res: ServerResponse, limit: number, limitText: string): Promise<UploadedFile | undefined> {
  const parse = multer({ storage: multer.memoryStorage(), limits: { fileSize: limit, fieldSize: limit, files: 1, fields: 100, parts: 101 } }).single('file')
  return new Promise((resolve, reject) => {
    parse(req as Request, res as Response, (err?: unknown) => {
      if (err instanceof MulterError) {
        if (err.code === 'LIMIT_FILE_SIZE' || err.code === 'LIMIT_FIELD_VALUE') {
          reject(new ApiError('payload_too_large', `the request body is larger than ${limitText}`))
        } else if (err.code === 'LIMIT_UNEXPECTED_FILE' || err.code === 'LIMIT_FILE_COUNT') {
          reject(new ApiError('validation_failed', 'invalid request', [{ path: err.field ?? '', message: 'the one file goes in the part named "file"' }]))
        } else {
          reject(new ApiError('bad_request', `malformed multipart body: ${err.message}`))
        }
        return
      }
      if (err) {
        reject(new ApiError('bad_request', `malformed multipart body: ${(err as Error).message}`))
        return
      }
      const file = (req as IncomingMessage & { file?: Express.Multer.File }).file
      resolve(file ? { bytes: file.buffer, fileName: file.originalname || undefined, mimetype: file.mimetype || undefined } : undefined)
    })
  })
}

export class ApiRegistry {
  private readonly list: RegisteredRoute[] = []
  /** names given to route bodies and responses that were not named with component() */
  private readonly autoNames = new Map<z.ZodType, string>()
  private document?: OpenApiDocument

  constructor(readonly info: OpenApiInfo) {}

  get routes(): readonly RegisteredRoute[] {
    return this.list
  }

  add<P extends ObjectSchema = NoFields, Q extends ObjectSchema = NoFields, B extends z.ZodType = z.ZodUndefined, R extends z.ZodType = z.ZodType>(
    spec: RouteSpec<P, Q, B, R>
  ): void {
    const route = spec as unknown as RegisteredRoute
    const clash = this.list.find(r => (r.method === route.method && r.path === route.path) || r.operationId === route.operationId)
    if (clash) throw new Error(`route ${route.method.toUpperCase()} ${route.path} (${route.operationId}) clashes with ${clash.operationId}`)
    const names = pathParamsOf(route.path)
    const keys = Object.keys(route.params?.shape ?? {})
    if (names.length !== keys.length || names.some(n => !keys.includes(n))) {
      throw new Error(`route ${route.operationId}: params schema keys [${keys}] do not match the path's {${names}}`)
    }
    if (route.access === 'session' && !names.includes('session_id')) throw new Error(`route ${route.operationId}: session access needs {session_id}`)
    if (route.body) this.nameIfNeeded(route.body, `${pascal(route.operationId)}Request`)
    this.nameIfNeeded(route.response.schema, `${pascal(route.operationId)}Response`)
    this.list.push(route)
    this.document = undefined
  }

  private nameIfNeeded(schema: z.ZodType, id: string): void {
    if (componentOf(schema) || this.autoNames.has(schema)) return
    if (isComponentId(id) || [...this.autoNames.values()].includes(id)) throw new Error(`schema name ${id} is taken; name the schema with component()`)
    this.autoNames.set(schema, id)
  }

  /** The OpenAPI 3.1 document of every route added so far. */
  openApiDocument(): OpenApiDocument {
    this.document ??= buildOpenApiDocument(this.list, this.info, this.autoNames)
    return this.document
  }

  /**
   * The native API's request handler: finds the route (RouteTable), authenticates, reads and validates the input,
   * runs the route and answers, every failure in the one error shape. Plain Node request and response objects:
   * no framework sits between the socket and the route.
   */
  handler({ host, validateResponses = false, bodyLimit = DEFAULT_BODY_LIMIT, authenticator, logger }: HandlerDeps): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
    const table = new RouteTable<RegisteredRoute>()
    for (const route of this.list) table.add(route.method, route.path, route)
    const publicPaths = new Set(this.list.filter(r => r.access === 'public').map(r => r.path))
    // one cap for JSON bodies and multipart uploads
    const limit = limitBytes(bodyLimit)
    const limitText = String(bodyLimit)

    const serve = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
      const url = req.url ?? '/'
      const q = url.indexOf('?')
      const path = q === -1 ? url : url.slice(0, q)
      const found = table.match(req.method ?? 'GET', path)
      // a public path answers without a token; any other, unknown ones included, needs a valid token first (so
      // only a caller with one learns which paths exist)
      const principal = found && publicPaths.has(found.template) ? undefined : authenticate(req, authenticator)
      if (!found) throw new ApiError('not_found', `no route ${req.method} ${path}`)
      if (found.kind !== 'route') {
        throw new ApiError('method_not_allowed', `${req.method} is not allowed here; allowed: ${found.allow.join(', ')}`, undefined, { Allow: found.allow.join(', ') })
      }
      const sessionId = found.params.session_id
      const route = found.route
      if (route.access !== 'public') authorize(principal!, route.access, sessionId)
      // an unknown session is a 404 whatever else the request holds (a malformed id is left to the schema: 400)
      // (the session manager holds every session in memory: no query for this)
      if (sessionId !== undefined && SESSION_ID_PATTERN.test(sessionId)) host.sessions.get(sessionId)
      const params = parseInput(route.params ?? NO_FIELDS, found.params)
      // a route without query parameters ignores any query string (as z.object({}) would, without the work)
      const query = route.query ? parseInput(route.query, q === -1 ? {} : { ...parseQuery(url.slice(q + 1)) }) : {}
      let body: unknown
      let file: UploadedFile | undefined
      if (route.body) {
        const type = mediaTypeOf(req)
        if (route.upload && hasBody(req) && type === 'multipart/form-data') {
          file = await readMultipart(req, res, limit, limitText)
          const fields = coerceFormFields(route.body, { ...((req as { body?: object }).body ?? {}) })
          const schema = file
            ? (route.body as unknown as ObjectSchema).extend({ [route.upload.field]: z.custom<Buffer>(v => Buffer.isBuffer(v)) })
            : route.body
          body = parseInput(schema, file ? { ...fields, [route.upload.field]: file.bytes } : fields)
        } else {
          if (hasBody(req) && !isJsonType(type)) {
            throw new ApiError('unsupported_media_type', route.upload
              ? 'the request body must be JSON (Content-Type: application/json) or multipart/form-data'
              : 'the request body must be JSON (Content-Type: application/json)')
          }
          // only authenticated requests get here: nobody else can make the server read a large body
          body = parseInput(route.body, hasBody(req) ? await readJsonBody(req, limit, limitText) : {})
        }
      }
      // Long-lived answers (the event stream) ask again before each event: a rotated token stops reaching anything.
      const stillAuthorized = () => {
        if (!principal) return true
        try {
          const now = authenticate(req, authenticator)
          return now.kind === principal.kind && (now.kind === 'admin' || now.sessionId === (principal as { sessionId: string }).sessionId)
        } catch {
          return false
        }
      }
      const result = await route.handler({ host, principal, params, query, body, file, req, res, stillAuthorized })
      if (res.headersSent || res.writableEnded) return
      let out: unknown = result
      if (validateResponses) {
        const checked = route.response.schema.safeParse(result)
        // a plain Error, not a ZodError: a bad answer is the server's fault (500), not the client's (400)
        if (!checked.success) throw new Error(`${route.operationId} answered outside its schema: ${z.prettifyError(checked.error)}`)
        out = checked.data
      }
      sendJson(res, route.response.status ?? 200, out)
    }

    return async (req, res) => {
      try {
        await serve(req, res)
      } catch (err) {
        answerFailure(req, res, err, logger, limitText)
      }
    }
  }
}
