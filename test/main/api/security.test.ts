/**
 * Everything the REST server refuses, with the exact error body, and proof that a refused request changed nothing:
 * tokens, Host and Origin checks, CORS, bodies (malformed, oversize, not JSON), schema violations, unknown things.
 */
import { gzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ApiError } from '../../../src/main/api/errors.js'
import { OperationError } from '../../../src/main/errors.js'
import { healthSchema } from '../../../src/main/api/v1/schemas.js'
import { startSimulator, type Simulator } from '../../../src/sim/index.js'
import { type ApiFixture, expectError, startApiFixture } from './api-fixture.js'

const concrete = (path: string, sessionId: string) => path.replace('{session_id}', sessionId)

describe('REST server security and errors', () => {
  let sim: Simulator
  let api: ApiFixture
  let victimToken: string
  let intruderToken: string
  const extra: ApiFixture[] = []

  beforeAll(async () => {
    sim = await startSimulator()
    api = await startApiFixture(sim, {
      routes: [registry => {
        registry.add({
          method: 'get', path: '/api/v1/test/boom', operationId: 'testBoom', tags: ['test'], access: 'admin', summary: 'fails unexpectedly',
          response: { description: 'never', schema: healthSchema },
          handler: () => { throw new Error('secret detail /home/user/.wadock at line 42') }
        })
        registry.add({
          method: 'get', path: '/api/v1/test/refused', operationId: 'testRefused', tags: ['test'], access: 'admin', summary: 'WhatsApp refuses',
          response: { description: 'never', schema: healthSchema },
          errors: [422],
          handler: () => { throw new OperationError('WhatsApp refused the request') }
        })
        registry.add({
          method: 'get', path: '/api/v1/test/bad-answer', operationId: 'testBadAnswer', tags: ['test'], access: 'admin', summary: 'answers off-schema',
          response: { description: 'never', schema: healthSchema },
          handler: () => ({ status: 'not ok' }) as never
        })
      }]
    })
    victimToken = (await api.admin('POST', '/api/v1/sessions', { body: { id: 'victim', webhook: { url: 'https://example.com/hook' } } })).body.token
    intruderToken = (await api.admin('POST', '/api/v1/sessions', { body: { id: 'intruder' } })).body.token
    // stable state for "nothing changed" checks
    await api.admin('POST', '/api/v1/sessions/victim/disconnect')
    await api.admin('POST', '/api/v1/sessions/intruder/disconnect')
  })
  afterAll(async () => {
    for (const f of extra) await f.stop()
    await api?.stop()
    await sim?.stop()
  })

  /** What a refused request must not have touched. */
  function snapshot() {
    const store = api.harness.host.store
    return { rows: api.sessionRows(), victim: store.sessions.get('victim'), intruder: store.sessions.get('intruder') }
  }

  const protectedRoutes = () => api.app.registry.routes.filter(r => r.access !== 'public' && !r.path.startsWith('/api/v1/test'))

  it('refuses every protected route without a token or with a wrong one (401), changing nothing', async () => {
    const before = snapshot()
    expect(protectedRoutes().length).toBeGreaterThanOrEqual(15)
    for (const route of protectedRoutes()) {
      const path = concrete(route.path, 'victim')
      const missing = await api.call(route.method.toUpperCase(), path, { body: route.body ? { id: 'x1' } : undefined })
      expectError(missing, 401, { code: 'unauthorized', message: 'missing bearer token' })
      expect(missing.headers['www-authenticate']).toBe('Bearer realm="wadock"')
      expectError(await api.call(route.method.toUpperCase(), path, { token: 'not-a-real-token-at-all' }), 401, { code: 'unauthorized', message: 'invalid token' })
      expectError(await api.call(route.method.toUpperCase(), path, { headers: { authorization: `Basic ${Buffer.from('a:b').toString('base64')}` } }), 401,
        { code: 'unauthorized', message: 'the Authorization header must be "Bearer <token>"' })
    }
    expect(snapshot()).toEqual(before)
  })

  it('refuses another session\'s token on every session route and any session token on admin routes (403), changing nothing', async () => {
    const before = snapshot()
    for (const route of protectedRoutes()) {
      // a fleet-wide route (access `any`) takes a session token, but not for another session
      const path = route.access === 'any' ? `${route.path}?session=victim` : concrete(route.path, 'victim')
      const answer = await api.call(route.method.toUpperCase(), path, { token: intruderToken, body: route.body ? {} : undefined })
      if (route.access === 'admin') expectError(answer, 403, { code: 'forbidden', message: 'this route needs the admin token' })
      else expectError(answer, 403, { code: 'forbidden', message: 'a session token reaches only its own session' })
    }
    expect(snapshot()).toEqual(before)
    expect((await api.call('GET', '/api/v1/sessions/victim/status', { token: victimToken })).status).toBe(200)
  })

  it('refuses a Host header that is not this machine (DNS rebinding), even with the admin token, on every route', async () => {
    const before = snapshot()
    const forbidden = { code: 'forbidden', message: 'the Host header must name this machine (localhost, 127.0.0.1 or [::1])' }
    for (const host of ['evil.example', 'evil.example:7780', `attacker.test:${api.server.port}`, '127.0.0.1.nip.io', 'localhost.evil.example', '0.0.0.0', '192.168.1.10']) {
      expectError(await api.admin('POST', '/api/v1/sessions', { headers: { host }, body: { id: 'rebound' } }), 403, forbidden)
      expectError(await api.call('GET', '/health', { headers: { host } }), 403, forbidden)
      expectError(await api.admin('DELETE', '/api/v1/sessions/victim', { headers: { host } }), 403, forbidden)
    }
    expect(snapshot()).toEqual(before)
    for (const host of ['localhost', `localhost:${api.server.port}`, 'LOCALHOST:1', '127.0.0.1', `[::1]:${api.server.port}`, '[::1]']) {
      expect((await api.call('GET', '/health', { headers: { host } })).status, host).toBe(200)
    }
  })

  it('refuses a foreign Origin, even with the admin token; accepts local ones; sends no CORS headers', async () => {
    const before = snapshot()
    for (const origin of ['https://evil.example', 'http://localhost.evil.example', 'null', 'file://', 'chrome-extension://abc']) {
      expectError(await api.admin('POST', '/api/v1/sessions', { headers: { origin }, body: { id: 'cross-site' } }), 403,
        { code: 'forbidden', message: `requests from origin ${JSON.stringify(origin)} are not allowed` })
    }
    expect(snapshot()).toEqual(before)
    for (const origin of [`http://127.0.0.1:${api.server.port}`, 'http://localhost:3000', 'http://[::1]:8080', 'https://localhost']) {
      const answer = await api.admin('GET', '/api/v1/sessions', { headers: { origin } })
      expect(answer.status, origin).toBe(200)
      expect(answer.headers['access-control-allow-origin']).toBeUndefined()
    }
    const preflight = await api.call('OPTIONS', '/api/v1/sessions', { headers: { origin: 'http://localhost:3000', 'access-control-request-method': 'POST' } })
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined()
  })

  it('answers CORS only for configured origins, preflights included', async () => {
    const cors = await startApiFixture(sim, { allowedOrigins: ['https://app.example'] })
    extra.push(cors)
    const preflight = await cors.call('OPTIONS', '/api/v1/sessions', { headers: { origin: 'https://app.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' } })
    expect(preflight.status).toBe(204)
    expect(preflight.headers).toMatchObject({
      'access-control-allow-origin': 'https://app.example',
      'access-control-allow-methods': 'GET, POST, PUT, PATCH, DELETE',
      'access-control-allow-headers': 'Authorization, Content-Type'
    })
    const listed = await cors.admin('GET', '/api/v1/sessions', { headers: { origin: 'https://app.example' } })
    expect(listed.status).toBe(200)
    expect(listed.headers['access-control-allow-origin']).toBe('https://app.example')
    expect(listed.headers.vary).toMatch(/Origin/)
    // a listed origin still needs a token
    expectError(await cors.call('GET', '/api/v1/sessions', { headers: { origin: 'https://app.example' } }), 401, { code: 'unauthorized', message: 'missing bearer token' })
    expectError(await cors.admin('GET', '/api/v1/sessions', { headers: { origin: 'https://other.example' } }), 403,
      { code: 'forbidden', message: 'requests from origin "https://other.example" are not allowed' })
  })

  it('malformed JSON is a 400 and writes nothing', async () => {
    const before = snapshot()
    // top-level scalars are refused too: a body is an object
    for (const raw of ['{"id": "broken"', '{id: "x"}', '{"id": "a",}', '"a string"', '42', 'null']) {
      const answer = await api.admin('POST', '/api/v1/sessions', { raw, headers: { 'content-type': 'application/json' } })
      expectError(answer, 400, { code: 'invalid_json', message: 'the request body is not valid JSON' })
    }
    expectError(await api.admin('PUT', '/api/v1/sessions/victim/webhook', { raw: '{"url": ', headers: { 'content-type': 'application/json' } }), 400,
      { code: 'invalid_json', message: 'the request body is not valid JSON' })
    expect(snapshot()).toEqual(before)
  })

  it('a body that is not JSON is a 415 and writes nothing', async () => {
    const before = snapshot()
    expectError(await api.admin('POST', '/api/v1/sessions', { raw: 'id=form-post', headers: { 'content-type': 'application/x-www-form-urlencoded' } }), 415,
      { code: 'unsupported_media_type', message: 'the request body must be JSON (Content-Type: application/json)' })
    expectError(await api.admin('POST', '/api/v1/sessions', { raw: '{"id":"text-plain"}', headers: { 'content-type': 'text/plain' } }), 415,
      { code: 'unsupported_media_type', message: 'the request body must be JSON (Content-Type: application/json)' })
    expect(snapshot()).toEqual(before)
  })

  it('schema violations are a 400 listing every offending field by path, and write nothing', async () => {
    const before = snapshot()
    const answer = await api.admin('POST', '/api/v1/sessions', {
      body: { id: 'bad id!', name: 42, webhook: { url: 'ftp://example.com/x', events: ['message', 'nope'], secret: 'short' }, extra: true }
    })
    expect(answer.status).toBe(400)
    expect(answer.body.error).toMatchObject({ code: 'validation_failed', message: 'invalid request' })
    expect(answer.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual(['extra', 'id', 'name', 'webhook.events.1', 'webhook.secret', 'webhook.url'])
    expect(answer.body.error.details).toContainEqual({ path: 'extra', message: 'unknown field' })
    expect(answer.body.error.details).toContainEqual({ path: 'webhook.secret', message: 'at least 8 characters' })
    expect(answer.body.error.details).toContainEqual({ path: 'id', message: 'letters, digits, "-" and "_", at most 64, starting with a letter or digit' })

    expectError(await api.admin('PUT', '/api/v1/sessions/victim/webhook', { body: { events: ['message'] } }), 400,
      { code: 'validation_failed', message: 'invalid request', details: [{ path: 'url', message: expect.any(String) }] })
    expectError(await api.admin('PUT', '/api/v1/sessions/victim/webhook', { body: { url: 'javascript:alert(1)' } }), 400,
      { code: 'validation_failed', message: 'invalid request', details: [{ path: 'url', message: expect.any(String) }] })
    expectError(await api.admin('GET', '/api/v1/sessions/bad.id/status'), 400,
      { code: 'validation_failed', message: 'invalid request', details: [{ path: 'session_id', message: 'letters, digits, "-" and "_", at most 64, starting with a letter or digit' }] })
    expect(snapshot()).toEqual(before)
  })

  it('an existing session id is a 409 and changes nothing', async () => {
    const before = snapshot()
    expectError(await api.admin('POST', '/api/v1/sessions', { body: { id: 'victim', name: 'Other' } }), 409, { code: 'conflict', message: 'session victim already exists' })
    expect(snapshot()).toEqual(before)
  })

  it('an invalid phone number on /pair is a 400 with its path and leaves the session as it was', async () => {
    const before = snapshot()
    for (const phone_number of ['12345', 'abc', '+0 123 456 789', '1234567890123456', '']) {
      expectError(await api.admin('POST', '/api/v1/sessions/victim/pair', { body: { phone_number } }), 400,
        { code: 'validation_failed', message: 'invalid request', details: [{ path: 'phone_number', message: expect.stringMatching(/international phone number/) }] })
    }
    expectError(await api.admin('POST', '/api/v1/sessions/victim/pair', { body: {} }), 400,
      { code: 'validation_failed', message: 'invalid request', details: [{ path: 'phone_number', message: expect.any(String) }] })
    expectError(await api.admin('POST', '/api/v1/sessions/victim/pair', { body: { phone_number: '+15551234567', show_push_notification: 'yes' } }), 400,
      { code: 'validation_failed', message: 'invalid request', details: [{ path: 'show_push_notification', message: expect.any(String) }] })
    expect(snapshot()).toEqual(before)
    expect(api.harness.host.sessions.get('victim').status).toBe('disconnected')
  })

  it('an unknown session is a 404 on every session route, for the admin', async () => {
    const before = snapshot()
    for (const route of protectedRoutes().filter(r => r.path.includes('{session_id}'))) {
      const body = route.operationId === 'pairSession' ? { phone_number: '+15551234567' } : route.operationId === 'setSessionWebhook' ? { url: 'https://example.com/x' } : undefined
      expectError(await api.admin(route.method.toUpperCase(), concrete(route.path, 'ghost'), { body }), 404, { code: 'not_found', message: 'session ghost not found' })
    }
    expect(snapshot()).toEqual(before)
  })

  it('an unlinked session has no device (409)', async () => {
    expectError(await api.admin('GET', '/api/v1/sessions/victim/device'), 409, { code: 'conflict', message: 'session victim is not linked' })
  })

  it('a body over the limit is a 413 and writes nothing', async () => {
    const small = await startApiFixture(sim, { bodyLimit: '1kb' })
    extra.push(small)
    const answer = await small.admin('POST', '/api/v1/sessions', { body: { id: 'too-big', name: 'x'.repeat(2000) } })
    expectError(answer, 413, { code: 'payload_too_large', message: 'the request body is larger than 1kb' })
    expect(small.sessionRows()).toEqual([])
    // the default limit is 25 MB
    const before = snapshot()
    const huge = await api.admin('PUT', '/api/v1/sessions/victim/webhook', { body: { url: 'https://example.com/x', secret: 'x'.repeat(26 * 1024 * 1024) } })
    expectError(huge, 413, { code: 'payload_too_large', message: 'the request body is larger than 25mb' })
    const underLimit = await api.admin('PUT', '/api/v1/sessions/victim/webhook', { body: { url: 'https://example.com/x', secret: 'x'.repeat(24 * 1024 * 1024) } })
    expect(underLimit.status).toBe(400)
    expect(underLimit.body.error.details).toEqual([{ path: 'secret', message: expect.any(String) }])
    expect(snapshot()).toEqual(before)
  })

  it('a body in another charset is a 415; compressed bodies are read under the same cap; a BOM is allowed', async () => {
    const small = await startApiFixture(sim, { bodyLimit: '1kb' })
    extra.push(small)
    const json = (charset?: string) => ({ 'content-type': `application/json${charset ? `; charset=${charset}` : ''}` })
    expectError(await small.admin('POST', '/api/v1/sessions', { raw: Buffer.from('{"id":"latin"}', 'latin1'), headers: json('iso-8859-1') }), 415,
      { code: 'unsupported_media_type', message: 'unsupported charset "ISO-8859-1"' })
    expectError(await small.admin('POST', '/api/v1/sessions', { raw: '{"id":"zipped"}', headers: { ...json(), 'content-encoding': 'compress' } }), 415,
      { code: 'unsupported_media_type', message: 'unsupported content encoding "compress"' })
    expectError(await small.admin('POST', '/api/v1/sessions', { raw: 'not gzip at all', headers: { ...json(), 'content-encoding': 'gzip' } }), 400,
      { code: 'bad_request', message: 'the request body is not valid gzip' })
    // a few dozen bytes on the wire that inflate past the 1 kB cap
    const bomb = gzipSync(JSON.stringify({ id: 'bomb', name: 'x'.repeat(5000) }))
    expect(bomb.length).toBeLessThan(1024)
    expectError(await small.admin('POST', '/api/v1/sessions', { raw: bomb, headers: { ...json(), 'content-encoding': 'gzip' } }), 413,
      { code: 'payload_too_large', message: 'the request body is larger than 1kb' })
    expect(small.sessionRows()).toEqual([])

    const zipped = await small.admin('POST', '/api/v1/sessions', { raw: gzipSync('{"id":"zipped", "name":"Zipped"}'), headers: { ...json('UTF-8'), 'content-encoding': 'gzip' } })
    expect(zipped.status).toBe(201)
    const bom = await small.admin('POST', '/api/v1/sessions', { raw: '\ufeff{"id":"with-bom"}', headers: json('utf-8') })
    expect(bom.status).toBe(201)
    expect(small.sessionRows().sort()).toEqual(['with-bom', 'zipped'])
  })

  it('an unauthenticated body is never read: no token with an oversize body is a 401, not a 413', async () => {
    const answer = await api.call('POST', '/api/v1/sessions', { body: { name: 'x'.repeat(26 * 1024 * 1024) } })
    expectError(answer, 401, { code: 'unauthorized', message: 'missing bearer token' })
  })

  it('unknown routes are a 404 for the authenticated and a 401 for everyone else; a known path with another method is a 405', async () => {
    expectError(await api.admin('GET', '/api/v1/nope'), 404, { code: 'not_found', message: 'no route GET /api/v1/nope' })
    expectError(await api.admin('GET', '/API/V1/SESSIONS'), 404, { code: 'not_found', message: 'no route GET /API/V1/SESSIONS' })
    expectError(await api.call('GET', '/api/v1/nope'), 401, { code: 'unauthorized', message: 'missing bearer token' })
    const wrongMethod = await api.admin('DELETE', '/api/v1/sessions')
    expectError(wrongMethod, 405, { code: 'method_not_allowed', message: 'DELETE is not allowed here; allowed: POST, GET, HEAD' })
    expect(wrongMethod.headers.allow).toBe('POST, GET, HEAD')
    expectError(await api.call('DELETE', '/api/v1/sessions'), 401, { code: 'unauthorized', message: 'missing bearer token' })
    expectError(await api.call('POST', '/health'), 405, { code: 'method_not_allowed', message: 'POST is not allowed here; allowed: GET, HEAD' })
    // HEAD answers what GET would, without the body; one trailing slash and a query string change nothing
    const head = await api.admin('HEAD', '/api/v1/sessions')
    expect(head.status).toBe(200)
    expect(head.text).toBe('')
    expect(Number(head.headers['content-length'])).toBe(Buffer.byteLength((await api.admin('GET', '/api/v1/sessions')).text))
    expect((await api.admin('GET', '/api/v1/sessions/?unused=1')).status).toBe(200)
    expectError(await api.admin('GET', '/api/v1/sessions//'), 404, { code: 'not_found', message: 'no route GET /api/v1/sessions//' })
  })

  it('WhatsApp refusals are a 422; unexpected failures a 500 that reveals nothing', async () => {
    expectError(await api.admin('GET', '/api/v1/test/refused'), 422, { code: 'operation_failed', message: 'WhatsApp refused the request' })
    const boom = await api.admin('GET', '/api/v1/test/boom')
    expectError(boom, 500, { code: 'internal_error', message: 'internal server error' })
    expect(boom.text).not.toMatch(/secret|wadock|line 42|at /)
    // an answer that breaks its own schema is the server's fault, not the client's
    expectError(await api.admin('GET', '/api/v1/test/bad-answer'), 500, { code: 'internal_error', message: 'internal server error' })
  })

  it('health, the OpenAPI document and the docs page need no token; everything answers with hardening headers', async () => {
    const health = await api.call('GET', '/health')
    expect(health.status).toBe(200)
    expect(health.body).toEqual({ status: 'ok' })
    expect(health.headers).toMatchObject({ 'x-content-type-options': 'nosniff', 'cache-control': 'no-store' })
    expect(health.headers['x-powered-by']).toBeUndefined()
    expect(health.headers['access-control-allow-origin']).toBeUndefined()
    expect((await api.call('GET', '/api/v1/openapi.json')).status).toBe(200)
    expect((await api.call('GET', '/docs')).status).toBe(200)
    // a wrong token does not hurt a public route
    expect((await api.call('GET', '/health', { token: 'wrong-token-wrong-token' })).status).toBe(200)
  })

  it('maps ApiError statuses from its code', () => {
    expect(new ApiError('payload_too_large', 'x').status).toBe(413)
    expect(new ApiError('validation_failed', 'x', [{ path: 'a', message: 'b' }]).body()).toEqual({ error: { code: 'validation_failed', message: 'x', details: [{ path: 'a', message: 'b' }] } })
  })

  it('a raw HTTP/1.0 request without Host is refused', async () => {
    const { createConnection } = await import('node:net')
    const text = await new Promise<string>((resolve, reject) => {
      const socket = createConnection(api.server.port, '127.0.0.1', () => socket.end('GET /health HTTP/1.0\r\n\r\n'))
      let data = ''
      socket.on('data', chunk => { data += chunk })
      socket.on('end', () => resolve(data))
      socket.on('error', reject)
    })
    expect(text).toMatch(/^HTTP\/1\.[01] 403/)
    expect(text).toContain('"code":"forbidden"')
  })
})
