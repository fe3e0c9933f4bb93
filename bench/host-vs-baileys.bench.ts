/**
 * WaDock's session host beside raw Baileys, on the same simulator, in the same run.
 * Run: `npm run bench:host` (BENCH_SESSIONS, BENCH_MESSAGES, BENCH_RUNS override the sizes).
 *
 * - time to first QR: raw socket created → `qr`; WaDock session created → `qr` event
 * - link time: the phone scans → raw `connection: open`; WaDock status `logged_in`
 * - send throughput of one session: texts to a raw Baileys receiver, counted when it has them all (WaDock sends
 *   through its operations layer, which validates, checks the number and answers once the message is stored)
 * - memory per idle linked session: growth of a fresh process from 10 to 10 + N sessions
 * - restore: time until N saved sessions are all linked again after a restart (raw: N sockets reconnecting
 *   with their saved credentials; WaDock: a new host on the same data folder)
 * Targets: within 1.25× of raw Baileys on time and throughput, at most 8 MB per idle linked session.
 */
import './support/no-source-maps.js'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { cpus, tmpdir } from 'node:os'
import { join } from 'node:path'
import pino from 'pino'
import { createHost, type Host } from '../src/main/host.js'
import { createOperations } from '../src/main/operations/index.js'
import type { HostEvent } from '../src/shared/domain.js'
import { TestClient } from '../test/support/baileys-client.js'
import { measureIdleHostSessions, measureIdleSessions, startSimProcess } from './support/sim-process.js'
import { median, percentile, round } from './support/stats.js'

const SESSIONS = Number(process.env.BENCH_SESSIONS ?? 50)
const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 500)
const RUNS = Number(process.env.BENCH_RUNS ?? 10)
const progress = (what: string) => process.stderr.write(`[bench] ${what}\n`)

const sim = await startSimProcess()
const target = { kind: 'simulator' as const, wsUrl: sim.info.wsUrl, rootPublicKey: sim.info.rootPublicKey, caPem: sim.info.caPem }
const dirs: string[] = []
const tempDir = async () => { const d = await mkdtemp(join(tmpdir(), 'wadock-bench-')); dirs.push(d); return d }

async function newHost(dataDir: string): Promise<Host> {
  const host = await createHost({ dataDir, logger: pino({ level: 'error' }), target })
  await host.start()
  return host
}

function nextEvent<T extends HostEvent['type']>(host: Host, type: T, check: (e: Extract<HostEvent, { type: T }>) => boolean): Promise<Extract<HostEvent, { type: T }>> {
  return new Promise(resolve => {
    const off = host.events.subscribe(e => {
      if (e.type === type && check(e as Extract<HostEvent, { type: T }>)) { off(); resolve(e as Extract<HostEvent, { type: T }>) }
    })
  })
}

async function linkRaw(phone: string): Promise<{ client: TestClient; qrMs: number; linkMs: number }> {
  const client = new TestClient(sim.info)
  const t0 = performance.now()
  client.connect()
  const qr = await client.waitForQr(30_000)
  const qrMs = performance.now() - t0
  const open = client.until(() => client.connection === 'open' && client.me?.lid ? true : undefined, 60_000, 'open')
  // the first `open` after linking comes after the 515 restart
  const t1 = performance.now()
  await sim.scanQr(phone, qr)
  await client.waitFor('connection.update', u => u.connection === 'open', 60_000)
  await open
  return { client, qrMs, linkMs: performance.now() - t1 }
}

async function linkHost(host: Host, id: string, phone: string): Promise<{ qrMs: number; linkMs: number }> {
  const t0 = performance.now()
  const qrEvent = nextEvent(host, 'qr', e => e.sessionId === id)
  host.sessions.create({ id })
  const { qr } = await qrEvent
  const qrMs = performance.now() - t0
  const linked = nextEvent(host, 'status', e => e.sessionId === id && e.status === 'logged_in')
  const t1 = performance.now()
  await sim.scanQr(phone, qr)
  await linked
  return { qrMs, linkMs: performance.now() - t1 }
}

// 1. time to first QR and link time, interleaved so both see the same conditions
const host = await newHost(await tempDir())
const raw = { qr: [] as number[], link: [] as number[] }
const wadock = { qr: [] as number[], link: [] as number[] }
const rawClients: TestClient[] = []
for (let i = 0; i < RUNS; i++) {
  const r = await linkRaw(String(15553000000 + i))
  raw.qr.push(r.qrMs); raw.link.push(r.linkMs); rawClients.push(r.client)
  const w = await linkHost(host, `run-${i}`, String(15553100000 + i))
  wadock.qr.push(w.qrMs); wadock.link.push(w.linkMs)
}
progress(`linked ${RUNS} raw clients and ${RUNS} WaDock sessions`)

// 2. send throughput of one session, to the same raw receiver
const receiver = rawClients[1]
const to = `${receiver.me!.id.split(':')[0]}@s.whatsapp.net`
const textOf = (m: (typeof receiver.messages)[number]) => m.message?.conversation ?? m.message?.extendedTextMessage?.text ?? ''
async function throughput(label: string, send: (text: string) => Promise<unknown>): Promise<{ perSecond: number; p50: number; p99: number }> {
  await send(`${label} warm-up`)
  await receiver.waitForMessage(m => textOf(m) === `${label} warm-up`, 30_000)
  const latencies: number[] = []
  const t0 = performance.now()
  const WINDOW = 20
  for (let i = 0; i < MESSAGES; i += WINDOW) {
    await Promise.all(Array.from({ length: Math.min(WINDOW, MESSAGES - i) }, async (_, j) => {
      const t = performance.now()
      await send(`${label} ${i + j}`)
      latencies.push(performance.now() - t)
    }))
  }
  const prefix = `${label} `
  await receiver.until(() => new Set(receiver.messages.filter(m => textOf(m).startsWith(prefix) && !textOf(m).endsWith('warm-up')).map(m => m.key.id)).size >= MESSAGES || undefined, 180_000, `${label} messages`)
  return { perSecond: MESSAGES / ((performance.now() - t0) / 1000), p50: median(latencies), p99: percentile(latencies, 99) }
}
const rawSender = rawClients[0]
const rawSend = await throughput('raw', text => rawSender.sock!.sendMessage(to, { text }))
// WaDock's path: validation, the recipient check, the send, and the stored row before it answers.
const ops = createOperations(host)
const hostSend = await throughput('wadock', text => ops.messages.sendText('run-0', { to, text }))
progress(`sent ${MESSAGES} messages each way`)

// 3. restore after a restart
for (const c of rawClients) c.stop()
await host.stop()
const restoreDir = await tempDir()
const restoreHost = await newHost(restoreDir)
const rawSaved: TestClient[] = []
for (let i = 0; i < SESSIONS; i++) {
  await linkHost(restoreHost, `saved-${i}`, String(15553200000 + i))
  const r = await linkRaw(String(15553300000 + i))
  rawSaved.push(r.client)
}
await restoreHost.stop()
for (const c of rawSaved) c.stop()
progress(`linked ${SESSIONS} sessions to restore`)
let t = performance.now()
for (const c of rawSaved) c.connect()
await Promise.all(rawSaved.map(c => c.waitFor('connection.update', u => u.connection === 'open', 120_000)))
const rawRestoreMs = performance.now() - t
for (const c of rawSaved) c.stop()
t = performance.now()
const restarted = await createHost({ dataDir: restoreDir, logger: pino({ level: 'error' }), target })
const allLinked = new Promise<void>(resolve => {
  const linked = new Set<string>()
  const off = restarted.events.subscribe(e => {
    if (e.type === 'status' && e.status === 'logged_in') linked.add(e.sessionId)
    if (linked.size >= SESSIONS) { off(); resolve() }
  })
})
await restarted.start()
await allLinked
const hostRestoreMs = performance.now() - t
await restarted.stop()
progress('restored')

// 4. memory per idle linked session, each in a fresh process
const rawMemory = await measureIdleSessions(sim.info, SESSIONS, 15554000000)
const hostMemory = await measureIdleHostSessions(sim.info, SESSIONS, 15555000000, await tempDir())
const perSession = (m: typeof rawMemory) => ({ rssMb: round((m.loaded - m.baseline) / SESSIONS / 1048576, 2), heapMb: round((m.loadedHeap - m.baselineHeap) / SESSIONS / 1048576, 2) })

await sim.stop()
for (const d of dirs) await rm(d, { recursive: true, force: true })

const ratio = (a: number, b: number) => round(a / b, 2)
const results = {
  benchmark: 'WaDock session host beside raw Baileys 7.0.0-rc14, same simulator, same run',
  date: new Date().toISOString(),
  machine: { cpus: cpus().length, node: process.version },
  timeToFirstQrMs: { raw: round(median(raw.qr)), wadock: round(median(wadock.qr)), ratio: ratio(median(wadock.qr), median(raw.qr)), runs: RUNS },
  linkTimeMs: { raw: round(median(raw.link)), wadock: round(median(wadock.link)), ratio: ratio(median(wadock.link), median(raw.link)), runs: RUNS },
  sendThroughput: {
    raw: { perSecond: round(rawSend.perSecond), p50Ms: round(rawSend.p50), p99Ms: round(rawSend.p99) },
    wadock: { perSecond: round(hostSend.perSecond), p50Ms: round(hostSend.p50), p99Ms: round(hostSend.p99) },
    ratio: ratio(hostSend.perSecond, rawSend.perSecond),
    messages: MESSAGES
  },
  restoreAllLinkedMs: { raw: round(rawRestoreMs), wadock: round(hostRestoreMs), ratio: ratio(hostRestoreMs, rawRestoreMs), sessions: SESSIONS },
  memoryPerIdleSessionMb: { raw: perSession(rawMemory), wadock: perSession(hostMemory), sessions: SESSIONS }
}
console.table({
  'time to first QR, median ms': { raw: results.timeToFirstQrMs.raw, wadock: results.timeToFirstQrMs.wadock, ratio: results.timeToFirstQrMs.ratio },
  'link time, median ms': { raw: results.linkTimeMs.raw, wadock: results.linkTimeMs.wadock, ratio: results.linkTimeMs.ratio },
  'send throughput, msg/s': { raw: results.sendThroughput.raw.perSecond, wadock: results.sendThroughput.wadock.perSecond, ratio: results.sendThroughput.ratio },
  [`restore ${SESSIONS} sessions, ms`]: { raw: results.restoreAllLinkedMs.raw, wadock: results.restoreAllLinkedMs.wadock, ratio: results.restoreAllLinkedMs.ratio },
  'idle session RSS, MB': { raw: results.memoryPerIdleSessionMb.raw.rssMb, wadock: results.memoryPerIdleSessionMb.wadock.rssMb, ratio: '' },
  'idle session heap, MB': { raw: results.memoryPerIdleSessionMb.raw.heapMb, wadock: results.memoryPerIdleSessionMb.wadock.heapMb, ratio: '' }
})
await mkdir(new URL('./results/', import.meta.url), { recursive: true })
await writeFile(new URL('./results/host-vs-baileys.json', import.meta.url), JSON.stringify(results, null, 2) + '\n')
process.exit(0)
