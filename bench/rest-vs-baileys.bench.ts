/**
 * REST text sends of one WaDock session beside raw Baileys `sendMessage`, on the same simulator, in the same run.
 * Run: `npm run bench:rest` (BENCH_MESSAGES, BENCH_WINDOW override the sizes). Target: at least 0.9× raw throughput.
 *
 * Both send the same number of texts with the same number in flight to the same raw Baileys receiver; a run ends
 * when the receiver has them all. Latency is per request: `sendMessage` resolving, or the HTTP answer arriving.
 * The HTTP client is a worker thread, as a script calling the API is a process of its own.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { cpus, tmpdir } from 'node:os'
import { join } from 'node:path'
import { Worker } from 'node:worker_threads'
import pino from 'pino'
import { createHost, type Host } from '../src/main/host.js'
import type { HostEvent } from '../src/shared/domain.js'
import { TestClient } from '../test/support/baileys-client.js'
import { startSimProcess } from './support/sim-process.js'
import { median, percentile, round } from './support/stats.js'

const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 500)
const WINDOW = Number(process.env.BENCH_WINDOW ?? 20)
const ADMIN_TOKEN = 'bench-admin-token-0123456789'

const sim = await startSimProcess()
const dataDir = await mkdtemp(join(tmpdir(), 'wadock-bench-rest-'))
const host: Host = await createHost({
  dataDir,
  logger: pino({ level: 'error' }),
  target: { kind: 'simulator', wsUrl: sim.info.wsUrl, rootPublicKey: sim.info.rootPublicKey, caPem: sim.info.caPem },
  api: { enabled: true, host: '127.0.0.1', port: 0, adminToken: () => ADMIN_TOKEN }
})
await host.start()
const api = host.apiUrl!

async function linkRaw(phone: string): Promise<TestClient> {
  const client = new TestClient(sim.info)
  client.connect()
  const qr = await client.waitForQr(30_000)
  const open = client.waitFor('connection.update', u => u.connection === 'open', 60_000)
  await sim.scanQr(phone, qr)
  await open
  return client
}

const receiver = await linkRaw('15556000001')
const rawSender = await linkRaw('15556000002')
const qrEvent = new Promise<string>(resolve => {
  const off = host.events.subscribe((e: HostEvent) => { if (e.type === 'qr' && e.sessionId === 'rest') { off(); resolve(e.qr) } })
})
const linked = new Promise<void>(resolve => {
  const off = host.events.subscribe((e: HostEvent) => { if (e.type === 'status' && e.sessionId === 'rest' && e.status === 'logged_in') { off(); resolve() } })
})
const post = async (path: string, body: unknown): Promise<unknown> => {
  const res = await fetch(`${api}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify(body)
  })
  const json = await res.json()
  if (!res.ok) throw new Error(`${path}: ${res.status} ${JSON.stringify(json)}`)
  return json
}
await post('/api/v1/sessions', { id: 'rest' })
await sim.scanQr('15556000003', await qrEvent)
await linked

const to = '15556000001'
const textOf = (m: (typeof receiver.messages)[number]) => m.message?.conversation ?? m.message?.extendedTextMessage?.text ?? ''
/** Sends `count` texts, `WINDOW` in flight at a time; the latency of each. */
async function sendAll(label: string, count: number, send: (text: string) => Promise<unknown>): Promise<number[]> {
  const latencies: number[] = []
  for (let i = 0; i < count; i += WINDOW) {
    await Promise.all(Array.from({ length: Math.min(WINDOW, count - i) }, async (_, j) => {
      const t = performance.now()
      await send(`${label} ${i + j}`)
      latencies.push(performance.now() - t)
    }))
  }
  return latencies
}

/**
 * The REST client runs in a worker thread, as a script would run in a process of its own: its HTTP work is then
 * not counted against the host it drives.
 */
function sendOverRest(label: string, count: number): Promise<number[]> {
  const worker = new Worker(`
    const { parentPort, workerData: d } = require('node:worker_threads')
    const latencies = []
    const send = async text => {
      const res = await fetch(d.url, { method: 'POST', headers: { authorization: 'Bearer ' + d.token, 'content-type': 'application/json' }, body: JSON.stringify({ to: d.to, text }) })
      if (!res.ok) throw new Error(res.status + ' ' + await res.text())
      await res.arrayBuffer()
    }
    ;(async () => {
      for (let i = 0; i < d.count; i += d.window) {
        await Promise.all(Array.from({ length: Math.min(d.window, d.count - i) }, async (_, j) => {
          const t = performance.now()
          await send(d.label + ' ' + (i + j))
          latencies.push(performance.now() - t)
        }))
      }
      parentPort.postMessage(latencies)
    })().catch(err => { throw err })
  `, { eval: true, workerData: { url: `${api}/api/v1/sessions/rest/messages/text`, token: ADMIN_TOKEN, to, label, count, window: WINDOW } })
  return new Promise((resolve, reject) => {
    worker.once('message', latencies => { resolve(latencies as number[]); void worker.terminate() })
    worker.once('error', reject)
  })
}

async function run(label: string, sendMany: (label: string, count: number) => Promise<number[]>) {
  await sendMany(`${label} warm-up`, 1)
  await receiver.waitForMessage(m => textOf(m) === `${label} warm-up 0`, 30_000)
  const t0 = performance.now()
  const latencies = await sendMany(label, MESSAGES)
  const sentOf = (m: (typeof receiver.messages)[number]) => textOf(m).startsWith(`${label} `) && !textOf(m).includes('warm-up')
  await receiver.until(() => new Set(receiver.messages.filter(sentOf).map(m => m.key.id)).size >= MESSAGES || undefined, 180_000, label)
  return { perSecond: round(MESSAGES / ((performance.now() - t0) / 1000)), p50Ms: round(median(latencies)), p99Ms: round(percentile(latencies, 99)) }
}
const raw = await run('raw', (label, count) => sendAll(label, count, text => rawSender.sock!.sendMessage(`${to}@s.whatsapp.net`, { text })))
const rest = await run('rest', sendOverRest)

receiver.stop()
rawSender.stop()
await host.stop()
await sim.stop()
await rm(dataDir, { recursive: true, force: true })

const results = {
  benchmark: 'REST text sends of one WaDock session beside raw Baileys sendMessage, same simulator, same run',
  date: new Date().toISOString(),
  machine: { cpus: cpus().length, node: process.version },
  messages: MESSAGES,
  inFlight: WINDOW,
  raw,
  rest,
  throughputRatio: round(rest.perSecond / raw.perSecond, 2)
}
console.table({ 'raw Baileys sendMessage': raw, 'WaDock REST POST …/messages/text': rest })
console.log(`throughput ratio (REST / raw): ${results.throughputRatio}`)
await mkdir(new URL('./results/', import.meta.url), { recursive: true })
await writeFile(new URL('./results/rest-vs-baileys.json', import.meta.url), JSON.stringify(results, null, 2) + '\n')
process.exit(0)
