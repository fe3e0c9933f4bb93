/** WaDock's REST server: the app factory, the listener and the pieces route modules need. */
export { API_INFO, type ApiApp, type ApiAppOptions, createApiApp } from './app.js'
export { type Principal, type RouteAccess } from './auth.js'
export { component, type SchemaMeta } from './components.js'
export { API_V1_PREFIX, DEFAULT_API_HOST, DEFAULT_API_PORT, DEFAULT_BODY_LIMIT } from './constants.js'
export { ApiError, type ApiErrorBody, type ApiErrorCode, toApiError } from './errors.js'
export type { OpenApiDocument } from './openapi.js'
export { ApiRegistry, type RegisteredRoute, type RouteContext, type RouteSpec } from './registry.js'
export { type ApiServer, type ApiServerOptions, startApiServer } from './server.js'
