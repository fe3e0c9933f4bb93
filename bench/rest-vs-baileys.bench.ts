/**
 * REST text sends of one WaDock session beside raw Baileys `sendMessage`, on the same simulator, in the same run.
 * Run: `npm run bench:rest` (BENCH_MESSAGES per round, BENCH_ROUNDS, BENCH_WARM_ROUNDS, BENCH_WINDOW override the
 * sizes; BENCH_DEBUG=1 prints each round's window for a --cpu-prof profile). Target: at least 0.9× raw throughput.
 *
 * Both send the same number of texts with the same number in flight to the same raw Baileys receiver, in short rounds
 * that alternate between them, raw first and last, after untimed pairs of rounds (BENCH_WARM_ROUNDS); a round ends
 * when the receiver has all its messages. The machine's speed drifts (on a shared 2-core machine, by half within a
 * minute), so each REST round is compared with the mean of the raw rounds just before and after it: the ratio is the
 * median of those comparisons, and each side's throughput the median of its rounds. Latency is per request (`sendMessage` resolving,
 * or the HTTP answer arriving) over all of them. The HTTP client runs in a worker thread (a script calling the API is
 * a process of its own) on keep-alive connections (support/http-load.ts); CPU time per message is reported
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
import { startHttpClient } from './support/http-load.js'
import { startReceiverProcess } from './support/receiver-process.js'
import { startSimProcess } from './support/sim-process.js'
import { median, percentile, round } from './support/stats.js'

const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 300)
const WINDOW = Number(process.env.BENCH_WINDOW ?? 20)
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 9)
const WARM_ROUNDS = Number(process.env.BENCH_WARM_ROUNDS ?? 4)
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

const receiver = await startReceiverProcess(sim.info, '15556000001')
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
 * not counted against the host it drives. It is started once, before any round.
 */
const httpClient = await startHttpClient()
async function sendOverRest(label: string, count: number): Promise<number[]> {
  const { latencies } = await httpClient.run({
    url: `${api}/api/v1/sessions/rest/messages/text`, method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    bodyTemplate: JSON.stringify({ to, text: `${label} {{n}}` }), count, inFlight: WINDOW, expectStatus: 200
  })
  return latencies
}

/** CPU time of the thread running the host or the raw sender, of the whole process (with the client's worker), of the receiver, of the simulator. */
const cpuSources = {
  mainThread: () => cpuMs(process.pid, process.pid), process: () => cpuMs(process.pid), receiver: () => cpuMs(receiver.pid), simulator: () => cpuMs(sim.pid)
}

interface RoundResult { perSecond: number; latencies: number[]; cpu: Record<keyof typeof cpuSources, number | undefined> }

/** One round of one side: `count` texts, timed until the receiver has them all. */
async function runRound(label: string, sendMany: (label: string, count: number) => Promise<number[]>, count = MESSAGES): Promise<RoundResult> {
  // what the raw sender kept of earlier rounds would only make it slower
  rawSender.messages.length = 0
  rawSender.updates.length = 0
  rawSender.receipts.length = 0
  await sendMany(`${label} warm-up`, 1)
  await receiver.waitFor(`${label} warm-up`, 1, 30_000)
  const t0 = performance.now()
  const mark = process.hrtime.bigint() / 1000n
  const { result: latencies, cpuMs: cpu } = await measureCpu(cpuSources, async () => {
    // the receiver counts each message once (a redelivery has the same id)
    const [latencies] = await Promise.all([sendMany(label, count), receiver.waitFor(label, count)])
    return latencies
  })
  const seconds = (performance.now() - t0) / 1000
  // with BENCH_DEBUG, the round's window on the clock of a --cpu-prof profile (µs), to profile one side at a time
  if (process.env.BENCH_DEBUG) console.error(`${label} µs ${mark} ${process.hrtime.bigint() / 1000n}`)
  return { perSecond: count / seconds, latencies, cpu }
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
      receiver: perMessage(r => r.cpu.receiver),
      simulator: perMessage(r => r.cpu.simulator)
    }
  }
}

const sendRaw = (label: string, count: number) => sendAll(label, count, text => rawSender.sock!.sendMessage(`${to}@s.whatsapp.net`, { text }))
// Untimed, alternating: every process warm before anything counts. Each still compiles its hot paths over the first
// couple of thousand messages (measured: the receiver's and the simulator's CPU per message fall by about half, the
// other threads' of this process, compiler and collector, from 1.6 to 0.2 ms), a start-up cost a gateway pays once.
for (let r = 0; r < WARM_ROUNDS; r++) {
  await runRound(`warm-raw${r}`, sendRaw)
  await runRound(`warm-rest${r}`, sendOverRest)
}
// raw, REST, raw, …, REST, raw: every REST round has a raw round on either side
const rawRounds: RoundResult[] = [await runRound('raw0', sendRaw)]
const restRounds: RoundResult[] = []
for (let r = 0; r < ROUNDS; r++) {
  restRounds.push(await runRound(`rest${r}`, sendOverRest))
  rawRounds.push(await runRound(`raw${r + 1}`, sendRaw))
}
const raw = summarise(rawRounds)
const rest = summarise(restRounds)
const ratios = restRounds.map((r, i) => r.perSecond / ((rawRounds[i].perSecond + rawRounds[i + 1].perSecond) / 2))

await httpClient.close()
await receiver.stop()
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
  warmRounds: WARM_ROUNDS,
  inFlight: WINDOW,
  raw,
  rest,
  // each REST round's throughput over the mean of the raw rounds around it: the machine's drift cancels out
  roundRatios: ratios.map(r => round(r, 2)),
  throughputRatio: round(median(ratios), 2)
}
const row = ({ cpuMsPerMessage: cpu, roundsPerSecond, ...r }: typeof raw) => ({ ...r, rounds: roundsPerSecond.join(' '), 'main thread CPU ms/msg': cpu.mainThread, 'other threads': cpu.otherThreads, receiver: cpu.receiver, simulator: cpu.simulator })
console.table({ 'raw Baileys sendMessage': row(raw), 'WaDock REST POST …/messages/text': row(rest) })
console.log(`throughput ratio (REST / raw), median of the rounds: ${results.throughputRatio} (${results.roundRatios.join(' ')})`)
await mkdir(new URL('./results/', import.meta.url), { recursive: true })
await writeFile(new URL('./results/rest-vs-baileys.json', import.meta.url), JSON.stringify(results, null, 2) + '\n')
process.exit(0)
