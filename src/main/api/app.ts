/**
 * createApiApp(): WaDock's REST server as an express app, not yet listening (server.ts listens; tests mount it on
 * port 0). Hardened like a public server although it listens on loopback:
 *  1. Host and Origin must be local (DNS rebinding, cross-site requests)          → 403
 *  2. CORS only for configured origins (preflights answered before auth)
 *  3. Bearer token: admin (everywhere) or a session's (only its own routes)       → 401 / 403
 *     Public: GET /health, GET /api/v1/openapi.json and the docs page (/docs): they hold nothing secret and a
 *     browser opening the docs cannot send a header.
 *  4. JSON bodies (and multipart uploads on the routes that take them), parsed only for authenticated
 *     requests, capped                                                           → 400 / 413 / 415
 *  5. Routes from the registry: input validated by zod, errors in one shape      → 400 / 404 / 409 / 422 / 500
 * The dialects (dialects/: /wuzapi, /whatsgate, /witime, /whatsgate-net) come after 1 and 2 and do 3–5 their way.
 */
import express, { type ErrorRequestHandler, type RequestHandler } from 'express'
import type { Logger } from 'pino'
import type { Host } from '../host.js'
import { authenticate } from './auth.js'
import { DEFAULT_BODY_LIMIT } from './constants.js'
import { docsRouter } from './docs.js'
import { ApiError, toApiError } from './errors.js'
import { DIALECTS } from './dialects/index.js'
import { corsFor, localOnly } from './local-origin.js'
import { ApiRegistry } from './registry.js'
import { OPENAPI_PATH, registerV1Routes } from './v1/index.js'

export interface ApiAppOptions {
  host: Host
  /** the current admin token, read on every request (so a new one applies at once); empty disables it */
  adminToken: () => string
  /** exact origins allowed besides local ones, and the only ones that get CORS headers */
  allowedOrigins?: string[]
  /** host names accepted in `Host` besides localhost, 127.0.0.1 and [::1] (for an API bound to another address) */
  allowedHosts?: string[]
  /** the largest JSON body, in bytes or as "25mb" (default DEFAULT_BODY_LIMIT) */
  bodyLimit?: string | number
  /** check every answer against its documented schema (tests); a mismatch answers 500 */
  validateResponses?: boolean
  /** more routes, registered after the built-in ones (and documented like them) */
  routes?: ((registry: ApiRegistry) => void)[]
  logger?: Logger
}

export type ApiApp = express.Express & { readonly registry: ApiRegistry }

export const API_INFO = {
  title: 'WaDock API',
  version: '1.0.0',
  description: 'WhatsApp sessions hosted on this machine. Authenticate with `Authorization: Bearer <token>`: the admin token '
    + 'reaches every route; a session\'s token (returned when the session is created) reaches only that session\'s routes.'
}

export function createApiApp(options: ApiAppOptions): ApiApp {
  const { host } = options
  const logger = (options.logger ?? host.logger).child({ component: 'api' })
  const bodyLimit = options.bodyLimit ?? DEFAULT_BODY_LIMIT
  const allowedOrigins = options.allowedOrigins ?? []

  const registry = new ApiRegistry(API_INFO)
  registerV1Routes(registry)
  for (const register of options.routes ?? []) register(registry)

  const app = express() as ApiApp
  Object.defineProperty(app, 'registry', { value: registry, enumerable: true })
  app.disable('x-powered-by')
  app.set('etag', false)
  app.set('case sensitive routing', true)
  app.set('query parser', 'simple')

  app.use(localOnly({ allowedHosts: options.allowedHosts, allowedOrigins }))
  if (allowedOrigins.length) app.use(corsFor(allowedOrigins))
  app.use((_req, res, next) => {
    res.setHeader('X-Content-Type-Options', 'nosniff')
    res.setHeader('Referrer-Policy', 'no-referrer')
    res.setHeader('Cache-Control', 'no-store')
    next()
  })
  // The other gateways' dialects, each with its own authentication, body parsing and error shape.
  for (const dialect of DIALECTS) app.use(dialect.prefix, dialect.router({ host, adminToken: options.adminToken, bodyLimit }))
  // Authentication decides here; public routes ignore the outcome, the others answer 401 with it.
  const authenticator = {
    adminToken: options.adminToken,
    sessionByToken: (token: string) => host.store.sessions.findByToken(token)
  }
  app.use((req, res, next) => {
    try {
      const principal = authenticate(req, authenticator)
      res.locals.principal = principal
      // Long-lived answers (the event stream) ask again before each event: a rotated token stops reaching anything.
      res.locals.stillAuthorized = () => {
        try {
          const now = authenticate(req, authenticator)
          return now.kind === principal.kind && (now.kind === 'admin' || now.sessionId === (principal as { sessionId: string }).sessionId)
        } catch {
          return false
        }
      }
    } catch (err) {
      res.locals.authError = err
    }
    next()
  })
  // Only authenticated requests get their bodies read: nobody else can make the server parse 25 MB.
  const jsonParser = express.json({ limit: bodyLimit, strict: true, type: ['application/json', 'application/*+json'] })
  const parseJson: RequestHandler = (req, res, next) => (res.locals.principal ? jsonParser(req, res, next) : next())
  app.use(parseJson)

  app.use(docsRouter(OPENAPI_PATH))
  app.use(registry.router({ host, validateResponses: options.validateResponses, bodyLimit }))

  app.use((req, res) => {
    if (!res.locals.principal) throw res.locals.authError
    throw new ApiError('not_found', `no route ${req.method} ${req.path}`)
  })
  const onError: ErrorRequestHandler = (err, req, res, _next) => {
    const { error, internal } = toApiError(err, String(bodyLimit))
    if (internal) logger.error({ err, method: req.method, path: req.path }, 'request failed')
    else logger.debug({ status: error.status, code: error.code, method: req.method, path: req.path }, 'request refused')
    if (res.headersSent) {
      res.destroy()
      return
    }
    for (const [name, value] of Object.entries(error.headers)) res.setHeader(name, value)
    res.status(error.status).json(error.body())
  }
  app.use(onError)
  return app
}
