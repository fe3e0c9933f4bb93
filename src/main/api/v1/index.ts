/** Every route of the native API v1. New route families register here (see ../registry.ts). */
import { API_V1_PREFIX } from '../constants.js'
import type { ApiRegistry } from '../registry.js'
import { registerContactRoutes } from './contacts.js'
import { registerEventRoutes } from './events.js'
import { registerGroupRoutes } from './groups.js'
import { registerMessageRoutes } from './messages.js'
import { registerPresenceRoutes } from './presence.js'
import { healthSchema, openApiDocumentSchema } from './schemas.js'
import { registerSessionRoutes } from './sessions.js'
import { registerWebhookRoutes } from './webhooks.js'

export const OPENAPI_PATH = `${API_V1_PREFIX}/openapi.json`

/** The service routes: health and this API's own description, both public. */
export function registerServiceRoutes(registry: ApiRegistry): void {
  registry.add({
    method: 'get', path: '/health', operationId: 'getHealth', tags: ['service'], access: 'public',
    summary: 'Health check',
    response: { description: 'The server is up.', schema: healthSchema },
    handler: () => ({ status: 'ok' as const })
  })
  registry.add({
    method: 'get', path: OPENAPI_PATH, operationId: 'getOpenApiDocument', tags: ['service'], access: 'public',
    summary: 'This API\'s OpenAPI 3.1 document',
    description: 'Generated from the schemas that validate the requests. The docs page at /docs renders it.',
    response: { description: 'The OpenAPI document.', schema: openApiDocumentSchema },
    handler: () => registry.openApiDocument() as never
  })
}

export function registerV1Routes(registry: ApiRegistry): void {
  registerServiceRoutes(registry)
  registerSessionRoutes(registry)
  registerMessageRoutes(registry)
  registerContactRoutes(registry)
  registerGroupRoutes(registry)
  registerPresenceRoutes(registry)
  registerEventRoutes(registry)
  registerWebhookRoutes(registry)
}
