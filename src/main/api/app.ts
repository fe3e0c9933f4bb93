/**
 * createApiApp(): WaDock's REST server as a Node request listener, not yet listening (server.ts listens; tests
 * mount it on port 0). Hardened like a public server although it listens on loopback:
 *  1. Host and Origin must be local (DNS rebinding, cross-site requests)          → 403
 *  2. CORS only for configured origins (preflights answered before auth)
 *  3. Bearer token: admin (everywhere) or a session's (only its own routes)       → 401 / 403
 *     Public: GET /health, GET /api/v1/openapi.json and the docs page (/docs): they hold nothing secret and a
 *     browser opening the docs cannot send a header.
 *  4. JSON bodies (and multipart uploads on the routes that take them), parsed only for authenticated
 *     requests, capped                                                           → 400 / 413 / 415
 *  5. Routes from the registry: input validated by zod, errors in one shape      → 400 / 404 / 409 / 422 / 500
 * 3–5 are the registry's request handler (registry.ts), on plain Node objects: the native API is the hot path of
 * every script, and a framework's per-request work there cost more CPU than the rest of a text send's HTTP side.
 * The dialects (dialects/: /wuzapi, /whatsgate, /witime, /whatsgate-net) and the docs page are express routers;
 * they come after 1 and 2 and the dialects do 3–5 their way.
 */
import type { RequestListener } from 'node:http'
import express, { type ErrorRequestHandler } from 'express'
import type { Logger } from 'pino'
import type { Host } from '../host.js'
import { DEFAULT_BODY_LIMIT } from './constants.js'
import { docsRouter } from './docs.js'
import { answerFailure, ApiError, sendApiError } from './errors.js'
import { DIALECTS } from './dialects/index.js'
import { answerCors, nonLocalReason } from './local-origin.js'
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

/** A Node request listener (mount it with http.createServer) that also shows the registry it serves. */
export type ApiApp = RequestListener & { readonly registry: ApiRegistry }

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
  const localOnly = { allowedHosts: options.allowedHosts, allowedOrigins }

  const registry = new ApiRegistry(API_INFO)
  registerV1Routes(registry)
  for (const register of options.routes ?? []) register(registry)

  const native = registry.handler({
    host, logger, bodyLimit, validateResponses: options.validateResponses,
    authenticator: { adminToken: options.adminToken, sessionByToken: token => host.store.sessions.findByToken(token) }
  })

  // express serves what is not the native API: the other gateways' dialects (each with its own authentication,
  // body parsing and error shape) and the docs page; anything else it does not answer goes on to the native API.
  const framework = express()
  framework.disable('x-powered-by')
  framework.set('etag', false)
  framework.set('case sensitive routing', true)
  framework.set('query parser', 'simple')
  for (const dialect of DIALECTS) framework.use(dialect.prefix, dialect.router({ host, adminToken: options.adminToken, bodyLimit }))
  framework.use(docsRouter(OPENAPI_PATH))
  framework.use((req, res) => { void native(req, res) })
  // what escapes a dialect's own error handling or the docs page: the native error shape, never express's page
  const onError: ErrorRequestHandler = (err, req, res, _next) => answerFailure(req, res, err, logger, String(bodyLimit))
  framework.use(onError)
  const viaFramework = (path: string) => path === '/docs' || path.startsWith('/docs/') ||
    DIALECTS.some(d => path === d.prefix || path.startsWith(`${d.prefix}/`))

  const listener: RequestListener = (req, res) => {
    res.setHeader('X-Content-Type-Options', 'nosniff')
    res.setHeader('Referrer-Policy', 'no-referrer')
    res.setHeader('Cache-Control', 'no-store')
    const refused = nonLocalReason(req.headers, localOnly)
    if (refused) {
      logger.debug({ method: req.method, reason: refused }, 'request refused')
      sendApiError(res, new ApiError('forbidden', refused))
      return
    }
    if (allowedOrigins.length && answerCors(req, res, allowedOrigins)) return
    const url = req.url ?? '/'
    const q = url.indexOf('?')
    if (viaFramework(q === -1 ? url : url.slice(0, q))) framework(req, res)
    else void native(req, res)
  }
  return Object.defineProperty(listener, 'registry', { value: registry, enumerable: true }) as ApiApp
}
