/** A host against the simulator with the REST API listening on a free loopback port, and a raw HTTP client for it. */
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http'
import { expect } from 'vitest'
import { type ApiAppOptions, createApiApp } from '../../../src/main/api/app.js'
import { type ApiServer, startApiServer } from '../../../src/main/api/server.js'
import type { Simulator } from '../../../src/sim/index.js'
import { HostHarness, tempDir } from '../../support/host-harness.js'

export const ADMIN_TOKEN = 'admin-token-for-tests-0123456789'

export interface Answer {
  status: number
  headers: IncomingHttpHeaders
  text: string
  /** the parsed JSON body (undefined when the body is not JSON) */
  body: any
}

export interface CallOptions {
  token?: string
  /** sent as JSON */
  body?: unknown
  /** sent as is (with `headers['content-type']` if given) */
  raw?: string | Buffer
  headers?: Record<string, string>
}

/** One HTTP request with full control of the headers (fetch forbids setting Host); a fresh connection each time. */
export function call(port: number, method: string, path: string, options: CallOptions = {}): Promise<Answer> {
  const headers: Record<string, string | number> = { host: `127.0.0.1:${port}`, ...options.headers }
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`
  let payload: string | Buffer | undefined = options.raw
  if (options.body !== undefined) {
    payload = JSON.stringify(options.body)
    headers['content-type'] ??= 'application/json'
  }
  if (payload !== undefined) headers['content-length'] = Buffer.byteLength(payload)
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method, path, headers, agent: false }, res => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('error', reject)
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8')
        let body: unknown
        // a HEAD answer has the headers of a JSON one and no body
        if (/json/.test(res.headers['content-type'] ?? '') && text !== '') body = JSON.parse(text)
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, body })
      })
    })
    req.on('error', reject)
    req.end(payload)
  })
}

export interface ApiFixture {
  harness: HostHarness
  server: ApiServer
  app: ReturnType<typeof createApiApp>
  call(method: string, path: string, options?: CallOptions): Promise<Answer>
  /** like call, with the admin token */
  admin(method: string, path: string, options?: Omit<CallOptions, 'token'>): Promise<Answer>
  sessionRows(): string[]
  stop(): Promise<void>
}

export async function startApiFixture(sim: Simulator, appOptions: Partial<ApiAppOptions> = {}): Promise<ApiFixture> {
  const dir = await tempDir('wadock-api-')
  const harness = await HostHarness.start(sim, dir.path)
  const app = createApiApp({ host: harness.host, adminToken: () => ADMIN_TOKEN, validateResponses: true, ...appOptions })
  const server = await startApiServer(app, { host: '127.0.0.1', port: 0 })
  return {
    harness,
    server,
    app,
    call: (method, path, options) => call(server.port, method, path, options),
    admin: (method, path, options = {}) => call(server.port, method, path, { ...options, token: ADMIN_TOKEN }),
    sessionRows: () => harness.host.store.sessions.list().map(r => r.id),
    async stop() {
      await server.close()
      await harness.stop()
      await dir.remove()
    }
  }
}

/** The error body, exactly. */
export function expectError(answer: Answer, status: number, error: { code: string; message: string | RegExp; details?: unknown }): void {
  expect({ status: answer.status, body: answer.body }).toEqual({
    status,
    body: { error: { code: error.code, message: error.message instanceof RegExp ? expect.stringMatching(error.message) : error.message, ...(error.details ? { details: error.details } : {}) } }
  })
}

type Kind = 'string' | 'number' | 'boolean' | 'null' | 'array' | 'object'
const kindOf = (v: unknown): Kind => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v as Kind)

/**
 * `actual` has every key of the seed's `example` with a value of the same kind (a key whose example value is null
 * may hold `nullable`'s kind, and the other way round); with `exact`, no other keys.
 */
export function expectSeedShape(actual: Record<string, unknown>, example: Record<string, unknown>, options: { exact?: boolean; nullable?: Record<string, Kind> } = {}): void {
  if (options.exact) expect(Object.keys(actual).sort()).toEqual(Object.keys(example).sort())
  for (const [key, value] of Object.entries(example)) {
    expect(actual, `key ${key}`).toHaveProperty(key)
    const allowed = new Set<Kind>([kindOf(value)])
    if (options.nullable?.[key]) { allowed.add('null'); allowed.add(options.nullable[key]) }
    expect(allowed.has(kindOf(actual[key])), `${key}: ${kindOf(actual[key])} is not ${[...allowed].join(' or ')}`).toBe(true)
  }
}

/** Seed 004's examples, verbatim. */
export const SEED = {
  createRequest: { id: 'my-session', name: 'My Business Account', webhook: { url: 'https://example.com/webhook', events: ['message', 'connected'], secret: 'webhook-secret' } },
  createResponse: {
    session: {
      id: 'my-session', name: 'My Business Account', phone_number: null, push_name: null, status: 'connecting',
      created_at: 1767143203, updated_at: 1767143203, last_connected_at: null, is_logged_in: false
    }
  },
  list: { sessions: [{ id: 'my-session', name: 'My Account', status: 'logged_in', is_logged_in: true }], total: 1 },
  get: { id: 'my-session', name: 'My Account', phone_number: '628123456789', push_name: 'John Doe', status: 'logged_in', is_logged_in: true },
  delete: { success: true, message: 'Session deleted' },
  status: { status: 'logged_in', is_logged_in: true, phone_number: '628123456789', push_name: 'John Doe' },
  qr: { qr_codes: ['2@ABC123...'], timeout_seconds: 60, status: 'waiting_for_qr' },
  pairRequest: { phone_number: '+628123456789', show_push_notification: true },
  pair: { code: 'ABCD-EFGH', timeout_seconds: 60 },
  device: { device_id: 1, phone_number: '628123456789', lid: '123456789@lid', push_name: 'John Doe' }
} as const

export const SEED_STATUSES = ['disconnected', 'connecting', 'waiting_for_qr', 'waiting_for_pair_code', 'connected', 'logged_in']
