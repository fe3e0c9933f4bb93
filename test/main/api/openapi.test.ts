/** The OpenAPI document: valid OpenAPI 3.1, complete (every registered route), and the local docs page that renders it. */
import { Validator } from '@seriousme/openapi-schema-validator'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { API_INFO } from '../../../src/main/api/app.js'
import { ApiRegistry } from '../../../src/main/api/registry.js'
import { registerV1Routes } from '../../../src/main/api/v1/index.js'
import { startSimulator, type Simulator } from '../../../src/sim/index.js'
import { type ApiFixture, startApiFixture } from './api-fixture.js'

/** Seed 004's routes and the session routes WaDock adds; other families add theirs to the registry and show up too. */
const EXPECTED_ROUTES = [
  'POST /api/v1/sessions', 'GET /api/v1/sessions', 'GET /api/v1/sessions/{session_id}', 'DELETE /api/v1/sessions/{session_id}',
  'GET /api/v1/sessions/{session_id}/status', 'GET /api/v1/sessions/{session_id}/qr', 'POST /api/v1/sessions/{session_id}/connect',
  'POST /api/v1/sessions/{session_id}/pair', 'POST /api/v1/sessions/{session_id}/disconnect', 'GET /api/v1/sessions/{session_id}/device',
  'POST /api/v1/sessions/{session_id}/logout', 'GET /api/v1/sessions/{session_id}/storage', 'GET /api/v1/sessions/{session_id}/webhook',
  'PUT /api/v1/sessions/{session_id}/webhook', 'DELETE /api/v1/sessions/{session_id}/webhook', 'POST /api/v1/sessions/{session_id}/token/rotate',
  'GET /health', 'GET /api/v1/openapi.json',
  ...['text', 'image', 'video', 'audio', 'document', 'sticker', 'location', 'contact', 'react', 'edit', 'revoke', 'read']
    .map(kind => `POST /api/v1/sessions/{session_id}/messages/${kind}`),
  'GET /api/v1/sessions/{session_id}/messages', 'GET /api/v1/sessions/{session_id}/messages/{message_id}/media',
  'GET /api/v1/sessions/{session_id}/contacts', 'POST /api/v1/sessions/{session_id}/contacts/check',
  'POST /api/v1/sessions/{session_id}/contacts/info', 'GET /api/v1/sessions/{session_id}/contacts/{jid}/picture',
  'GET /api/v1/sessions/{session_id}/groups', 'POST /api/v1/sessions/{session_id}/groups', 'GET /api/v1/sessions/{session_id}/groups/{jid}',
  'GET /api/v1/sessions/{session_id}/groups/{jid}/invite-link',
  ...['subject', 'description', 'picture', 'settings'].map(what => `PUT /api/v1/sessions/{session_id}/groups/{jid}/${what}`),
  'POST /api/v1/sessions/{session_id}/groups/{jid}/participants', 'DELETE /api/v1/sessions/{session_id}/groups/{jid}/participants',
  'POST /api/v1/sessions/{session_id}/groups/{jid}/admins', 'DELETE /api/v1/sessions/{session_id}/groups/{jid}/admins',
  'POST /api/v1/sessions/{session_id}/groups/{jid}/leave',
  'POST /api/v1/sessions/{session_id}/presence', 'POST /api/v1/sessions/{session_id}/chatstate', 'GET /api/v1/events'
]

const METHODS = ['get', 'post', 'put', 'patch', 'delete']

describe('the OpenAPI document and the docs page', () => {
  let sim: Simulator
  let api: ApiFixture
  let doc: any
  beforeAll(async () => {
    sim = await startSimulator()
    api = await startApiFixture(sim)
    const answer = await api.call('GET', '/api/v1/openapi.json')
    expect(answer.status).toBe(200)
    expect(answer.headers['content-type']).toMatch(/^application\/json/)
    doc = answer.body
  })
  afterAll(async () => {
    await api?.stop()
    await sim?.stop()
  })

  it('is a valid OpenAPI 3.1 document', async () => {
    const validator = new Validator()
    const result = await validator.validate(doc)
    expect(result.errors).toBeUndefined()
    expect(result.valid).toBe(true)
    expect(validator.version).toBe('3.1')
    // every $ref resolves
    const refs = JSON.stringify(doc).match(/"\$ref":"[^"]+"/g) ?? []
    for (const ref of new Set(refs)) {
      const pointer = JSON.parse(`{${ref}}`).$ref as string
      expect(pointer.startsWith('#/')).toBe(true)
      const target = pointer.slice(2).split('/').reduce((node: any, key) => node?.[key.replace(/~1/g, '/').replace(/~0/g, '~')], doc)
      expect(target, pointer).toBeDefined()
    }
  })

  it('lists exactly the registered routes, which include all of seed 004\'s', () => {
    const documented = Object.entries(doc.paths as Record<string, Record<string, unknown>>)
      .flatMap(([path, item]) => Object.keys(item).filter(m => METHODS.includes(m)).map(m => `${m.toUpperCase()} ${path}`))
    const registered = api.app.registry.routes.map(r => `${r.method.toUpperCase()} ${r.path}`)
    expect(documented.sort()).toEqual([...registered].sort())
    expect(registered).toEqual(expect.arrayContaining(EXPECTED_ROUTES))
  })

  it('documents each route\'s security, parameters, body and responses, errors included', () => {
    for (const route of api.app.registry.routes) {
      const op = doc.paths[route.path][route.method]
      expect(op.operationId).toBe(route.operationId)
      expect(op.security, route.operationId).toEqual(route.access === 'public' ? [] : [{ bearerAuth: [] }])
      expect(op['x-wadock-access']).toBe(route.access)
      const success = String(route.response.status ?? 200)
      expect(op.responses[success].content[route.response.contentType ?? 'application/json'].schema.$ref).toMatch(/^#\/components\/schemas\//)
      expect(op.responses['500']).toEqual({ $ref: '#/components/responses/InternalError' })
      expect(op.responses['403']).toEqual({ $ref: '#/components/responses/Forbidden' })
      if (route.access !== 'public') expect(op.responses['401']).toEqual({ $ref: '#/components/responses/Unauthorized' })
      if (route.path.includes('{session_id}')) {
        expect(op.parameters).toContainEqual(expect.objectContaining({ name: 'session_id', in: 'path', required: true }))
        expect(op.responses['404']).toEqual({ $ref: '#/components/responses/NotFound' })
      }
      if (route.body) {
        expect(op.requestBody.content['application/json'].schema.$ref).toMatch(/^#\/components\/schemas\//)
        if (route.upload) expect(op.requestBody.content['multipart/form-data'].schema.properties.file).toMatchObject({ type: 'string' })
        else expect(op.requestBody.content['multipart/form-data']).toBeUndefined()
        for (const status of ['400', '413', '415']) expect(op.responses[status], `${route.operationId} ${status}`).toBeDefined()
      } else {
        expect(op.requestBody).toBeUndefined()
      }
      for (const status of route.errors ?? []) expect(op.responses[String(status)]).toBeDefined()
    }
    for (const response of Object.values(doc.components.responses) as any[]) {
      expect(response.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/Error' })
    }
    expect(doc.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' })
  })

  it('describes seed 004\'s bodies with its field names', () => {
    const schemas = doc.components.schemas
    const create = doc.paths['/api/v1/sessions'].post
    expect(create.requestBody.required).toBe(false)
    expect(create.requestBody.content['application/json'].schema.$ref).toBe('#/components/schemas/CreateSessionRequest')
    expect(Object.keys(schemas.CreateSessionRequest.properties)).toEqual(['id', 'name', 'webhook'])
    expect(schemas.Webhook.required).toEqual(['url'])
    expect(Object.keys(schemas.Webhook.properties)).toEqual(['url', 'events', 'secret', 'format', 'batch'])
    expect(create.responses['201'].content['application/json'].schema.$ref).toBe('#/components/schemas/CreateSessionResponse')
    expect(Object.keys(schemas.Session.properties)).toEqual(['id', 'name', 'phone_number', 'push_name', 'status', 'created_at', 'updated_at', 'last_connected_at', 'is_logged_in'])
    expect(schemas.SessionStatusValue.enum).toEqual(['disconnected', 'connecting', 'waiting_for_qr', 'waiting_for_pair_code', 'connected', 'logged_in'])
    expect(Object.keys(schemas.SessionStatus.properties)).toEqual(['status', 'is_logged_in', 'phone_number', 'push_name'])
    expect(Object.keys(schemas.QrCodes.properties)).toEqual(['qr_codes', 'timeout_seconds', 'status'])
    expect(Object.keys(schemas.PairRequest.properties)).toEqual(['phone_number', 'show_push_notification'])
    expect(doc.paths['/api/v1/sessions/{session_id}/pair'].post.requestBody.required).toBe(true)
    expect(Object.keys(schemas.PairCode.properties)).toEqual(['code', 'timeout_seconds'])
    expect(Object.keys(schemas.Device.properties)).toEqual(['device_id', 'phone_number', 'lid', 'push_name'])
    expect(Object.keys(schemas.Success.properties)).toEqual(['success', 'message'])
    expect(Object.keys(schemas.SessionList.properties)).toEqual(['sessions', 'total'])
    expect(schemas.Error.properties.error.required).toEqual(['code', 'message'])
  })

  it('a route added through the registry lands in the document, with input and output forms of a schema told apart', async () => {
    // twice, as two apps in one process would: names given to a registry's inline schemas stay with that registry
    for (let round = 0; round < 2; round++) {
      const item = z.object({ label: z.string(), size: z.number().int().default(1) })
      const registry = new ApiRegistry(API_INFO)
      registerV1Routes(registry)
      registry.add({
        method: 'post', path: '/api/v1/sessions/{session_id}/widgets', operationId: 'createWidget', tags: ['widgets'], access: 'session',
        summary: 'Make a widget',
        params: z.object({ session_id: z.string() }),
        query: z.object({ dry_run: z.enum(['true', 'false']).optional() }),
        body: item,
        response: { status: 201, description: 'The widget.', schema: z.object({ widget: item }) },
        errors: [422],
        handler: ({ body }) => ({ widget: body })
      })
      const extended = registry.openApiDocument() as any
      const op = extended.paths['/api/v1/sessions/{session_id}/widgets'].post
      expect(op.parameters).toContainEqual({ name: 'dry_run', in: 'query', required: false, schema: { type: 'string', enum: ['true', 'false'] } })
      expect(op.responses['422']).toEqual({ $ref: '#/components/responses/OperationFailed' })
      expect(op.requestBody.content['application/json'].schema.$ref).toBe('#/components/schemas/CreateWidgetRequestInput')
      expect(op.responses['201'].content['application/json'].schema.$ref).toBe('#/components/schemas/CreateWidgetResponse')
      // answered, the default is always there; sent, it may be left out
      expect(extended.components.schemas.CreateWidgetRequest.required).toEqual(['label', 'size'])
      expect(extended.components.schemas.CreateWidgetRequestInput.required).toEqual(['label'])
      expect(extended.tags).toContainEqual({ name: 'widgets' })
      expect((await new Validator().validate(extended)).valid).toBe(true)
      expect(() => registry.add({ ...registry.routes[0] })).toThrow(/clashes/)
      expect(() => registry.add({
        method: 'get', path: '/api/v1/things/{thing_id}', operationId: 'getThing', tags: [], access: 'admin', summary: '',
        response: { description: '', schema: z.object({}) }, handler: () => ({})
      })).toThrow(/do not match/)
      expect(() => registry.add({
        method: 'get', path: '/api/v1/things', operationId: 'getThings', tags: [], access: 'session', summary: '',
        response: { description: '', schema: z.object({}) }, handler: () => ({})
      })).toThrow(/session access needs \{session_id\}/)
    }
  })

  it('serves the docs page and Swagger UI from local files, pointed at the document', async () => {
    const page = await api.call('GET', '/docs')
    expect(page.status).toBe(200)
    expect(page.headers['content-type']).toMatch(/^text\/html/)
    expect(page.headers['content-security-policy']).toMatch(/script-src 'self'/)
    // nothing from another host: no CDN
    expect(page.text).not.toMatch(/(src|href)="(https?:)?\/\//)
    const assets = [...page.text.matchAll(/(?:src|href)="([^"]+)"/g)].map(m => m[1])
    expect(assets).toEqual(expect.arrayContaining(['/docs/assets/swagger-ui.css', '/docs/assets/swagger-ui-bundle.js', '/docs/init.js']))
    for (const asset of assets) {
      const answer = await api.call('GET', asset)
      expect(answer.status, asset).toBe(200)
      expect(answer.text.length, asset).toBeGreaterThan(0)
    }
    expect((await api.call('GET', '/docs/assets/swagger-ui-bundle.js')).headers['content-type']).toMatch(/javascript/)
    expect((await api.call('GET', '/docs/assets/swagger-ui.css')).headers['content-type']).toMatch(/^text\/css/)
    const init = await api.call('GET', '/docs/init.js')
    expect(init.text).toContain('url: "/api/v1/openapi.json"')
    expect(init.text).toContain('validatorUrl: null')
    // only the page's own assets are reachable, nothing else of the package
    expect((await api.call('GET', '/docs/assets/package.json')).status).toBe(401)
    expect((await api.admin('GET', '/docs/assets/package.json')).status).toBe(404)
    expect((await api.admin('GET', '/docs/assets/..%2Fpackage.json')).status).toBe(404)
    // a failure under the docs page (here: a path that does not decode) is answered in the API's error shape
    const broken = await api.call('GET', '/docs/assets/%E0%A4%A')
    expect(broken.status).toBe(400)
    expect(broken.body).toEqual({ error: { code: 'bad_request', message: expect.any(String) } })
  })
})
