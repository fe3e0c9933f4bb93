/**
 * What the REST layer itself costs: main-thread CPU time and throughput per request for a few requests that never
 * reach WhatsApp, beside a bare node:http server answering the same JSON (the floor any Node HTTP server pays).
 * Run: `npm run bench:api` (BENCH_REQUESTS per kind, default 20000). No target: the figures show where a REST send's
 * HTTP side stands (the send itself is in bench:rest).
 *
 * The requests: GET /health (no authentication); GET S/status (token, session lookup, a JSON answer); POST
 * S/messages/text to a session that is not linked (token, JSON body, validation, a 409 in the error shape); and the
 * wuzapi dialect's GET /wuzapi/session/status (the same through express, which serves the dialects). The client is
 * a worker thread with node:http and keep-alive, 20 requests in flight.
 */
import './support/no-source-maps.js'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { cpus, tmpdir } from 'node:os'
import { join } from 'node:path'
import pino from 'pino'
import { createHost } from '../src/main/host.js'
import { cpuMs } from './support/cpu-time.js'
import { startHttpClient } from './support/http-load.js'
import { round } from './support/stats.js'

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 20_000)
const IN_FLIGHT = 20
const ADMIN_TOKEN = 'bench-admin-token-0123456789'

interface Request { path: string; method: 'GET' | 'POST'; headers: Record<string, string>; body?: string; status: number }

/** the load's client, one worker thread for every measurement */
const httpClient = await startHttpClient()

/** Warms up, then measures `request`: requests per second and main-thread CPU µs per request. */
async function measure(base: string, request: Request) {
  const drive = (count: number) => httpClient.run({
    url: base + request.path, method: request.method, headers: request.headers, bodyTemplate: request.body, count, inFlight: IN_FLIGHT,
    expectStatus: request.status
  })
  await drive(Math.min(2000, REQUESTS))
  const before = cpuMs(process.pid, process.pid)
  const { ms } = await drive(REQUESTS)
  const after = cpuMs(process.pid, process.pid)
  return {
    perSecond: round(REQUESTS / (ms / 1000)),
    mainThreadCpuUsPerRequest: before === undefined || after === undefined ? null : round(((after - before) * 1000) / REQUESTS)
  }
}

// the floor: node:http answering a small JSON body, nothing else
const bare = createServer((req, res) => {
  req.resume()
  req.on('end', () => {
    const body = JSON.stringify({ status: 'ok' })
    res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(body) })
    res.end(body)
  })
})
await new Promise<void>(resolve => bare.listen(0, '127.0.0.1', resolve))
const bareUrl = `http://127.0.0.1:${(bare.address() as AddressInfo).port}`

// A host whose sessions never connect (its WhatsApp address answers nothing): only the REST layer works here.
const dataDir = await mkdtemp(join(tmpdir(), 'wadock-bench-api-'))
const host = await createHost({
  dataDir, logger: pino({ level: 'error' }),
  target: { kind: 'simulator', wsUrl: 'ws://127.0.0.1:9/ws/chat', rootPublicKey: '00'.repeat(32) },
  api: { enabled: true, host: '127.0.0.1', port: 0, adminToken: () => ADMIN_TOKEN }
})
await host.start()
const session = host.sessions.create({ id: 'bench', connect: false })
const sessionToken = host.store.sessions.get(session.id)!.token
const api = host.apiUrl!
const admin = { authorization: `Bearer ${ADMIN_TOKEN}` }

const results = {
  'GET /health': await measure(api, { method: 'GET', path: '/health', headers: {}, status: 200 }),
  'GET S/status': await measure(api, { method: 'GET', path: '/api/v1/sessions/bench/status', headers: admin, status: 200 }),
  'POST S/messages/text (409: not linked)': await measure(api, {
    method: 'POST', path: '/api/v1/sessions/bench/messages/text', headers: admin, body: JSON.stringify({ to: '15550001111', text: 'hello' }), status: 409
  }),
  'wuzapi GET /wuzapi/session/status (express)': await measure(api, { method: 'GET', path: '/wuzapi/session/status', headers: { token: sessionToken }, status: 200 }),
  // last, when Node's HTTP code is as warm as it was for the others
  'bare node:http, GET (the floor)': await measure(bareUrl, { method: 'GET', path: '/health', headers: {}, status: 200 })
}

await httpClient.close()
await host.stop()
await new Promise(resolve => bare.close(resolve))
await rm(dataDir, { recursive: true, force: true })

console.table(results)
await mkdir(new URL('./results/', import.meta.url), { recursive: true })
await writeFile(new URL('./results/api-overhead.json', import.meta.url), JSON.stringify({
  benchmark: 'REST layer cost per request (main-thread CPU, throughput) beside a bare node:http server',
  date: new Date().toISOString(),
  machine: { cpus: cpus().length, node: process.version },
  requestsPerKind: REQUESTS,
  inFlight: IN_FLIGHT,
  results
}, null, 2) + '\n')
process.exit(0)
