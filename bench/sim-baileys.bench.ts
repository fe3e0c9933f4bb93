/**
 * Raw Baileys against the simulator: the reference figures every WaDock benchmark compares itself with.
 * Run: `npm run bench:sim` (BENCH_SESSIONS, BENCH_MESSAGES, BENCH_RUNS override the sizes).
 *
 * - time to first QR: socket created → first `qr` event
 * - link time: the phone scans → the client is logged in and has processed its offline queue
 * - messages per second: one linked client sends text to another; counted when the receiver has them all
 * - memory per idle linked session: RSS growth of this process with N linked idle sessions, divided by N
 *   (the simulator runs in its own process so only the clients are counted)
 */
import './support/no-source-maps.js'
import { mkdir, writeFile } from 'node:fs/promises'
import { TestClient } from '../test/support/baileys-client.js'
import { startSimProcess } from './support/sim-process.js'
import { median, percentile, round } from './support/stats.js'
import { measureIdleSessions } from './support/sim-process.js'

const SESSIONS = Number(process.env.BENCH_SESSIONS ?? 50)
const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 500)
const RUNS = Number(process.env.BENCH_RUNS ?? 10)

const progress = (what: string) => process.stderr.write(`[bench] ${what}\n`)
const sim = await startSimProcess()
const phone = (i: number) => String(15550100000 + i)

async function linkOne(i: number): Promise<{ client: TestClient; firstQrMs: number; linkMs: number }> {
  const client = new TestClient(sim.info)
  const t0 = performance.now()
  client.connect()
  const qr = await client.waitForQr(30_000)
  const firstQrMs = performance.now() - t0
  const ready = client.waitForReady(60_000)
  const t1 = performance.now()
  await sim.scanQr(phone(i), qr, `Bench ${i}`)
  await ready
  return { client, firstQrMs, linkMs: performance.now() - t1 }
}

// 1. time to first QR and link time, sequentially so they do not compete
const qrTimes: number[] = []
const linkTimes: number[] = []
const linked: TestClient[] = []
for (let i = 0; i < RUNS; i++) {
  const { client, firstQrMs, linkMs } = await linkOne(i)
  qrTimes.push(firstQrMs)
  linkTimes.push(linkMs)
  linked.push(client)
}

progress(`linked ${RUNS} clients`)
// 2. throughput between two linked devices
const [sender, receiver] = linked
const to = `${phone(1)}@s.whatsapp.net`
const textOf = (m: (typeof receiver.messages)[number]) => m.message?.conversation ?? m.message?.extendedTextMessage?.text ?? ''
await sender.sock!.sendMessage(to, { text: 'warm-up' })
await receiver.waitForMessage(m => textOf(m) === 'warm-up', 30_000)
const received = () => new Set(receiver.messages.filter(m => textOf(m).startsWith('bench ')).map(m => m.key.id)).size
const tSend = performance.now()
const sendLatencies: number[] = []
const WINDOW = 20
for (let i = 0; i < MESSAGES; i += WINDOW) {
  await Promise.all(Array.from({ length: Math.min(WINDOW, MESSAGES - i) }, async (_, j) => {
    const t = performance.now()
    await sender.sock!.sendMessage(to, { text: `bench ${i + j}` })
    sendLatencies.push(performance.now() - t)
  }))
}
await receiver.until(() => received() >= MESSAGES || undefined, 120_000, 'all bench messages')
const throughput = MESSAGES / ((performance.now() - tSend) / 1000)

progress(`sent ${MESSAGES} messages`)
// 3. memory per idle linked session, in a fresh process
for (const c of linked) c.stop()
linked.length = 0
const memory = await measureIdleSessions(sim.info, SESSIONS, 15550200000)
const perSessionMb = (memory.loaded - memory.baseline) / SESSIONS / 1048576
const perSessionHeapMb = (memory.loadedHeap - memory.baselineHeap) / SESSIONS / 1048576
const baseline = memory.baseline
const loaded = memory.loaded

await sim.stop()

const results = {
  benchmark: 'raw Baileys 7.0.0-rc14 against the WaDock simulator',
  date: new Date().toISOString(),
  machine: { cpus: (await import('node:os')).cpus().length, node: process.version },
  timeToFirstQrMs: { median: round(median(qrTimes)), p90: round(percentile(qrTimes, 90)), runs: RUNS },
  linkTimeMs: { median: round(median(linkTimes)), p90: round(percentile(linkTimes, 90)), runs: RUNS },
  messagesPerSecond: { value: round(throughput), messages: MESSAGES, window: WINDOW, sendMsP50: round(median(sendLatencies)), sendMsP99: round(percentile(sendLatencies, 99)) },
  memoryPerIdleSessionMb: { value: round(perSessionMb, 2), heapMb: round(perSessionHeapMb, 2), sessions: SESSIONS, baselineMb: round(baseline / 1048576), loadedMb: round(loaded / 1048576) }
}
console.table({
  'time to first QR (ms, median)': results.timeToFirstQrMs.median,
  'link time (ms, median)': results.linkTimeMs.median,
  'messages per second (1 → 1)': results.messagesPerSecond.value,
  'send latency p50 / p99 (ms)': `${results.messagesPerSecond.sendMsP50} / ${results.messagesPerSecond.sendMsP99}`,
  [`memory per idle linked session (MB, ${SESSIONS} sessions)`]: results.memoryPerIdleSessionMb.value
})
await mkdir(new URL('./results/', import.meta.url), { recursive: true })
await writeFile(new URL('./results/sim-baileys.json', import.meta.url), JSON.stringify(results, null, 2) + '\n')
// Baileys leaves keep-alive agents and timers behind after end(); the figures are written, so leave now.
process.exit(0)
