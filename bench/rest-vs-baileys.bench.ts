/**
 * REST text sends of one WaDock session beside raw Baileys `sendMessage`, on the same simulator, in the same run.
 * Run: `npm run bench:rest` (BENCH_MESSAGES per round, BENCH_ROUNDS, BENCH_WINDOW override the sizes; BENCH_DEBUG=1
 * prints each round's window for a --cpu-prof profile). Target: at least 0.9× raw throughput.
 *
 * Both send the same number of texts with the same number in flight to the same raw Baileys receiver, in rounds that
 * alternate between them; a round ends when the receiver has all its messages. Throughput is the median of a side's
 * rounds, and the ratio the median of each REST round's over the raw round before it; latency is per request
 * (`sendMessage` resolving, or the HTTP answer arriving) over all of them. The HTTP client is a worker thread with
 * node:http and keep-alive, as a script calling the API is a process of its own; CPU time per message is reported
 * for the main thread (host or raw sender, and the receiver), the process's other threads (the client, the garbage
 * collector's helpers) and the simulator, because on a small machine they all compete for the same cores and the
 * throughput of either side is bounded by their sum.
 */
import './support/no-source-maps.js'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { cpus, tmpdir } from 'node:os'
import { join } from 'node:path'
import pino from 'pino'
import { createHost, type Host } from '../src/main/host.js'
import type { HostEvent } from '../src/shared/domain.js'
import { TestClient } from '../test/support/baileys-client.js'
import { cpuMs, measureCpu } from './support/cpu-time.js'
import { runHttpLoad } from './support/http-load.js'
import { startSimProcess } from './support/sim-process.js'
import { median, percentile, round } from './support/stats.js'

const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 500)
const WINDOW = Number(process.env.BENCH_WINDOW ?? 20)
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3)
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
/**
 * Sends `count` texts, `WINDOW` in flight at a time (each of WINDOW senders sends its next text as soon as its last
 * one is sent, as the HTTP client's connections do); the latency of each.
 */
async function sendAll(label: string, count: number, send: (text: string) => Promise<unknown>): Promise<number[]> {
  const latencies: number[] = []
  let next = 0
  await Promise.all(Array.from({ length: WINDOW }, async () => {
    while (next < count) {
      const n = next++
      const t = performance.now()
      await send(`${label} ${n}`)
      latencies.push(performance.now() - t)
    }
  }))
  return latencies
}

/**
 * The REST client runs in a worker thread, as a script would run in a process of its own: its HTTP work is then
 * not counted against the host it drives.
 */
async function sendOverRest(label: string, count: number): Promise<number[]> {
  const { latencies } = await runHttpLoad({
    url: `${api}/api/v1/sessions/rest/messages/text`, method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    bodyTemplate: JSON.stringify({ to, text: `${label} {{n}}` }), count, inFlight: WINDOW, expectStatus: 200
  })
  return latencies
}

/** CPU time of the thread running the host and the receiver, of the whole process (with the client's worker), of the simulator. */
const cpuSources = { mainThread: () => cpuMs(process.pid, process.pid), process: () => cpuMs(process.pid), simulator: () => cpuMs(sim.pid) }

interface RoundResult { perSecond: number; latencies: number[]; cpu: Record<keyof typeof cpuSources, number | undefined> }

/** One round of one side: MESSAGES texts, timed until the receiver has them all. */
async function runRound(label: string, sendMany: (label: string, count: number) => Promise<number[]>): Promise<RoundResult> {
  // what the receiver kept of earlier rounds would only make every later check slower
  receiver.messages.length = 0
  rawSender.messages.length = 0
  rawSender.updates.length = 0
  rawSender.receipts.length = 0
  await sendMany(`${label} warm-up`, 1)
  await receiver.waitForMessage(m => textOf(m) === `${label} warm-up 0`, 30_000)
  // the round's messages as they arrive, counted once each (a redelivery has the same id)
  const arrived = new Set<string>()
  let allArrived!: () => void
  const done = new Promise<void>(resolve => { allArrived = resolve })
  const onUpsert = ({ messages }: { messages: (typeof receiver.messages)[number][] }) => {
    for (const m of messages) if (textOf(m).startsWith(`${label} `) && !textOf(m).includes('warm-up')) arrived.add(m.key.id!)
    if (arrived.size >= MESSAGES) allArrived()
  }
  receiver.sock!.ev.on('messages.upsert', onUpsert)
  const t0 = performance.now()
  const mark = process.hrtime.bigint() / 1000n
  const { result: latencies, cpuMs: cpu } = await measureCpu(cpuSources, async () => {
    const latencies = await sendMany(label, MESSAGES)
    const timer = setTimeout(() => { throw new Error(`${label}: ${arrived.size} of ${MESSAGES} messages arrived in 180 s`) }, 180_000)
    await done
    clearTimeout(timer)
    return latencies
  })
  receiver.sock!.ev.off('messages.upsert', onUpsert)
  const seconds = (performance.now() - t0) / 1000
  // with BENCH_DEBUG, the round's window on the clock of a --cpu-prof profile (µs), to profile one side at a time
  if (process.env.BENCH_DEBUG) console.error(`${label} µs ${mark} ${process.hrtime.bigint() / 1000n}`)
  return { perSecond: MESSAGES / seconds, latencies, cpu }
}

/** A side's rounds summed up: median throughput, latency over every request, CPU time per message. */
function summarise(rounds: RoundResult[]) {
  const latencies = rounds.flatMap(r => r.latencies)
  const perMessage = (total: (r: RoundResult) => number | undefined) => {
    const values = rounds.map(total)
    return values.some(v => v === undefined) ? null : round((values as number[]).reduce((a, b) => a + b, 0) / (MESSAGES * rounds.length), 2)
  }
  return {
    perSecond: round(median(rounds.map(r => r.perSecond))),
    roundsPerSecond: rounds.map(r => round(r.perSecond)),
    p50Ms: round(median(latencies)),
    p99Ms: round(percentile(latencies, 99)),
    cpuMsPerMessage: {
      mainThread: perMessage(r => r.cpu.mainThread),
      otherThreads: perMessage(r => (r.cpu.process === undefined || r.cpu.mainThread === undefined ? undefined : r.cpu.process - r.cpu.mainThread)),
      simulator: perMessage(r => r.cpu.simulator)
    }
  }
}

// Rounds alternate between the two sides, so that a slow spell of the machine does not fall on one side only.
const rawRounds: RoundResult[] = []
const restRounds: RoundResult[] = []
for (let r = 0; r < ROUNDS; r++) {
  rawRounds.push(await runRound(`raw${r}`, (label, count) => sendAll(label, count, text => rawSender.sock!.sendMessage(`${to}@s.whatsapp.net`, { text }))))
  restRounds.push(await runRound(`rest${r}`, sendOverRest))
}
const raw = summarise(rawRounds)
const rest = summarise(restRounds)

receiver.stop()
rawSender.stop()
await host.stop()
await sim.stop()
await rm(dataDir, { recursive: true, force: true })

const results = {
  benchmark: 'REST text sends of one WaDock session beside raw Baileys sendMessage, same simulator, same run',
  date: new Date().toISOString(),
  machine: { cpus: cpus().length, node: process.version },
  messagesPerRound: MESSAGES,
  rounds: ROUNDS,
  inFlight: WINDOW,
  raw,
  rest,
  // each round's REST throughput over the raw round just before it: the machine's drift between rounds cancels out
  roundRatios: restRounds.map((r, i) => round(r.perSecond / rawRounds[i].perSecond, 2)),
  throughputRatio: round(median(restRounds.map((r, i) => r.perSecond / rawRounds[i].perSecond)), 2)
}
const row = ({ cpuMsPerMessage: cpu, roundsPerSecond, ...r }: typeof raw) => ({ ...r, rounds: roundsPerSecond.join(' '), 'main thread CPU ms/msg': cpu.mainThread, 'other threads': cpu.otherThreads, simulator: cpu.simulator })
console.table({ 'raw Baileys sendMessage': row(raw), 'WaDock REST POST …/messages/text': row(rest) })
console.log(`throughput ratio (REST / raw), median of the rounds: ${results.throughputRatio} (${results.roundRatios.join(' ')})`)
await mkdir(new URL('./results/', import.meta.url), { recursive: true })
await writeFile(new URL('./results/rest-vs-baileys.json', import.meta.url), JSON.stringify(results, null, 2) + '\n')
process.exit(0)
