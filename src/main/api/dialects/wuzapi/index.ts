/**
 * The wuzapi dialect (asternic/wuzapi): a wuzapi script's base URL `http://localhost:8080` becomes
 * `http://127.0.0.1:<port>/wuzapi`. The `Token` header (or `Authorization`, or `?token=`) holds a session's own
 * token and selects that session; `/admin/users` takes the admin token in `Authorization`. Answers come in
 * wuzapi's envelope (respond.ts). Every handler is a translation to the host's operations and session manager.
 */
import { type RequestHandler, Router } from 'express'
import { createOperations } from '../../../operations/index.js'
import { isAdminToken, jsonBody, sessionIdForToken, stripBearer } from '../common/index.js'
import type { DialectDeps } from '../index.js'
import { adminRoutes } from './admin-routes.js'
import { chatRoutes } from './chat-routes.js'
import { groupRoutes } from './group-routes.js'
import { sendData, sendError, wuzapiErrorHandler, WuzapiError } from './respond.js'
import type { WuzapiRoute } from './route.js'
import { sessionRoutes } from './session-routes.js'
import { userRoutes } from './user-routes.js'

export const WUZAPI_ROUTES: readonly WuzapiRoute[] = [
  { method: 'get', path: '/health', auth: 'public', native: 'GET /health', handler: () => ({ status: 'ok' }) },
  ...adminRoutes, ...sessionRoutes, ...userRoutes, ...chatRoutes, ...groupRoutes
]

const unauthorized = () => new WuzapiError(401, 'Unauthorized')

export function createWuzapiRouter(deps: DialectDeps): Router {
  const { host } = deps
  const ops = createOperations(host)
  const logger = host.logger.child({ component: 'api', dialect: 'wuzapi' })
  const router = Router({ caseSensitive: true })
  const body = jsonBody(deps.bodyLimit)

  const sessionAuth: RequestHandler = (req, res, next) => {
    const given = req.get('token') ?? stripBearer(req.get('authorization')) ?? (typeof req.query.token === 'string' ? req.query.token : undefined)
    const sessionId = sessionIdForToken(host, given)
    if (!sessionId) return next(unauthorized())
    res.locals.sessionId = sessionId
    next()
  }
  const adminAuth: RequestHandler = (req, _res, next) => {
    next(isAdminToken(stripBearer(req.get('authorization')), deps.adminToken()) ? undefined : unauthorized())
  }
  const auth = { session: [sessionAuth, body], admin: [adminAuth, body], public: [] } as const

  for (const route of WUZAPI_ROUTES) {
    router[route.method](route.path, ...auth[route.auth], async (req, res) => {
      const data = await route.handler({
        host, ops, sessionId: res.locals.sessionId ?? '', body: req.body, query: req.query, params: req.params as Record<string, string>
      })
      sendData(res, data, route.status)
    })
  }

  const known = WUZAPI_ROUTES.map(r => ({ method: r.method.toUpperCase(), pattern: new RegExp(`^${r.path.replace(/:[^/]+/g, '[^/]+')}/?$`) }))
  router.use((req, res) => {
    const allowed = known.filter(k => k.pattern.test(req.path)).map(k => k.method)
    if (allowed.length) {
      res.setHeader('Allow', [...new Set(allowed)].join(', '))
      sendError(res, 405, 'Method Not Allowed')
    } else {
      sendError(res, 404, 'Not Found')
    }
  })
  router.use(wuzapiErrorHandler(logger))
  return router
}
