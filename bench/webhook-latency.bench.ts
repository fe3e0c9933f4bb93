/**
 * Webhook latency: from a virtual phone's message to the webhook POST arriving at a local receiver, beside raw
 * Baileys' own `messages.upsert` for the very same messages, on the same simulator, in the same run.
 * Run: `npm run bench:webhooks` (BENCH_MESSAGES per round, BENCH_ROUNDS, BENCH_RATE, BENCH_SESSIONS override the sizes;
 * BENCH_DEBUG=1 lists the slowest messages).
 *
 * Ten accounts are linked to WaDock sessions (each webhook pointing at the receiver, native format) and ten other
 * accounts to raw Baileys clients. In phases of the same run (three rounds of two), one virtual phone sends to the raw
 * clients' accounts and then to the WaDock sessions' accounts, in turn, at 100 messages per second in total, after
 * an untimed second at that rate; latency is measured from
 * the control request that makes the phone send to (a) the raw client's `messages.upsert` and (b) the webhook
 * request's arrival. The phases keep the two from competing for the same two cores. The simulator, the raw clients,
 * the load driver and the receiver each run in a process of their own (this script, started with a role), as a
 * script sending to WaDock and one receiving its webhooks would; times are compared on the shared clock
 * (performance.timeOrigin + performance.now()). Target: webhook p99 under 50 ms.
 */
import './support/no-source-maps.js'
import { spawn } from 'node:child_process'
import { createServer } from 'node:http'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { cpus, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import pino from 'pino'
import { createHost, type Host } from '../src/main/host.js'
import type { HostEvent } from '../src/shared/domain.js'
import { TestClient } from '../test/support/baileys-client.js'
import type { SimulatorInfo } from '../src/sim/index.js'
import { startSimProcess } from './support/sim-process.js'
import { percentile, round } from './support/stats.js'

/** A time every process here agrees on: ms since the epoch, with sub-ms resolution. */
const now = () => performance.timeOrigin + performance.now()
const line = (value: unknown) => process.stdout.write(`${JSON.stringify(value)}\n`)

/** Role `receiver`: the webhook receiver; prints its port, then `{text, at}` per message event that arrives. */
async function runReceiver(): Promise<void> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const at = now()
      const event = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { type: string; data: { text?: string } }
      if (event.type === 'message' && event.data.text) line({ text: event.data.text, at })
      res.writeHead(200).end()
    })
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  line({ port: (server.address() as { port: number }).port })
}

/** Role `raw`: links a raw Baileys client to each phone, prints `{ready}`, then `{text, at}` per upserted message. */
async function runRawClients(info: SimulatorInfo, phones: string[]): Promise<void> {
  const control = info.wsUrl.replace('ws://', 'http://').replace(/\/ws\/chat$/, '')
  for (const phone of phones) {
    const client = new TestClient(info)
    client.connect()
    const qr = await client.waitForQr(30_000)
    const ready = client.waitForReady(30_000)
    const res = await fetch(`${control}/control/accounts/${phone}/scan`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ qr }) })
    if (!res.ok) throw new Error(`scan failed: ${res.status}`)
    await ready
    client.sock!.ev.on('messages.upsert', ({ messages }) => {
      const at = now()
      for (const m of messages) {
        const text = m.message?.conversation ?? m.message?.extendedTextMessage?.text
        if (text) line({ text, at })
      }
    })
  }
  line({ ready: true })
}

/**
 * Role `driver`: makes the virtual phone `sender` send `warmup` untimed texts `<prefix>w<n>` and then `count` timed
 * texts `<prefix><n>` to `phones` in turn, `rate` per second without a break; prints `{started}`, then `{text, at}`
 * just before each timed send's control request, then `{seconds}` (of the timed part).
 * The untimed second at the start is the warm-up every process needs at a new rate (the driver's HTTP connections
 * opening one per request in flight, code still unoptimised): without it the first messages of each phase were
 * timed with start-up costs of the load driver and the simulator, up to 200 ms.
 */
async function runDriver(control: string, sender: string, phones: string[], count: number, rate: number, prefix: string, warmup: number): Promise<void> {
  line({ started: true })
  const sends: Promise<unknown>[] = []
  const send = (to: string, text: string) => sends.push(fetch(`${control}/control/accounts/${sender}/messages`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ to, text })
  }).then(res => { if (!res.ok) throw new Error(`send failed: ${res.status}`) }))
  const t0 = performance.now()
  for (let n = 0; n < warmup + count; n++) {
    const wait = t0 + (n * 1000) / rate - performance.now()
    if (wait > 1) await new Promise(resolve => setTimeout(resolve, wait))
    const timed = n >= warmup
    const text = timed ? `${prefix}${n - warmup}` : `${prefix}w${n}`
    if (timed) line({ text, at: now() })
    send(phones[n % phones.length], text)
  }
  await Promise.all(sends)
  line({ seconds: (performance.now() - t0) / 1000 - warmup / rate })
  process.exit(0)
}

/** Starts this script in `role`; `onLine` gets every JSON line it prints; resolves with the first. */
function startRole(role: string, args: string[], onLine: (value: any) => void): Promise<any> {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), role, ...args], { stdio: ['ignore', 'pipe', 'inherit'] })
  process.once('exit', () => child.kill('SIGKILL'))
  return new Promise((resolve, reject) => {
    let first = true
    createInterface({ input: child.stdout! }).on('line', l => {
      const value = JSON.parse(l)
      if (first) { first = false; resolve(value) } else onLine(value)
    })
    child.once('exit', code => { if (first) reject(new Error(`${role} exited with ${code}`)) })
  })
}

const role = process.argv[2]
if (role === 'receiver') await runReceiver()
else if (role === 'raw') await runRawClients(JSON.parse(process.argv[3]) as SimulatorInfo, JSON.parse(process.argv[4]) as string[])
else if (role === 'driver') {
  const [control, sender, phones, count, rate, prefix, warmup] = process.argv.slice(3)
  await runDriver(control, sender, JSON.parse(phones) as string[], Number(count), Number(rate), prefix, Number(warmup))
}
else await main()

async function main(): Promise<void> {
  const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 1000)
  const RATE = Number(process.env.BENCH_RATE ?? 100)
  const SESSIONS = Number(process.env.BENCH_SESSIONS ?? 10)
  const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3)
  const SENDER = '15558800000'
  const progress = (what: string) => process.stderr.write(`[bench] ${what}\n`)

  // other work on the machine skews every figure here: the 1-minute load average is recorded with them
  const loadBefore = loadavg()[0]
  const sim = await startSimProcess()
  const dataDir = await mkdtemp(join(tmpdir(), 'wadock-bench-hooks-'))
  const host: Host = await createHost({
    dataDir, logger: pino({ level: 'error' }),
    target: { kind: 'simulator', wsUrl: sim.info.wsUrl, rootPublicKey: sim.info.rootPublicKey, caPem: sim.info.caPem }
  })
  await host.start()

  // the receiver: when each message's webhook request has fully arrived
  const hookAt = new Map<string, number>()
  const { port } = await startRole('receiver', [], ({ text, at }: { text: string; at: number }) => { if (!hookAt.has(text)) hookAt.set(text, at) })
  const hookUrl = `http://127.0.0.1:${port}/hook`

  function nextEvent<T extends HostEvent['type']>(type: T, check: (e: Extract<HostEvent, { type: T }>) => boolean): Promise<Extract<HostEvent, { type: T }>> {
    return new Promise(resolve => {
      const off = host.events.subscribe(e => {
        if (e.type === type && check(e as Extract<HostEvent, { type: T }>)) { off(); resolve(e as Extract<HostEvent, { type: T }>) }
      })
    })
  }

  // when WaDock has stored each message (its 'message' event): splits the webhook latency into ingest and delivery
  const storedAt = new Map<string, number>()
  host.events.subscribe(e => {
    if (e.type === 'message' && e.text && !storedAt.has(e.text)) storedAt.set(e.text, now())
  })

  // ten accounts linked to WaDock sessions, ten others to raw clients
  const upsertAt = new Map<string, number>()
  const wadockPhones = Array.from({ length: SESSIONS }, (_, i) => String(15558800100 + i))
  const rawPhones = Array.from({ length: SESSIONS }, (_, i) => String(15558800200 + i))
  await sim.post('/control/accounts', { phone: SENDER, name: 'Load' })
  for (const [i, phone] of wadockPhones.entries()) {
    const id = `hook-${i}`
    const qrEvent = nextEvent('qr', e => e.sessionId === id)
    host.sessions.create({ id, webhook: { url: hookUrl, events: ['message'] } })
    const linked = nextEvent('status', e => e.sessionId === id && e.status === 'logged_in')
    await sim.scanQr(phone, (await qrEvent).qr)
    await linked
  }
  await startRole('raw', [JSON.stringify(sim.info), JSON.stringify(rawPhones)], ({ text, at }: { text: string; at: number }) => { if (!upsertAt.has(text)) upsertAt.set(text, at) })
  progress(`linked ${SESSIONS} WaDock sessions and ${SESSIONS} raw clients`)

  async function waitFor(check: () => boolean, what: string, timeoutMs = 120_000): Promise<void> {
    const end = Date.now() + timeoutMs
    while (!check()) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
      await new Promise(resolve => setTimeout(resolve, 20))
    }
  }

  // warm-up: one message per account
  for (const [i, phone] of wadockPhones.entries()) await sim.post(`/control/accounts/${SENDER}/messages`, { to: phone, text: `warm-w${i}` })
  for (const [i, phone] of rawPhones.entries()) await sim.post(`/control/accounts/${SENDER}/messages`, { to: phone, text: `warm-r${i}` })
  await waitFor(() => wadockPhones.every((_, i) => hookAt.has(`warm-w${i}`)) && rawPhones.every((_, i) => upsertAt.has(`warm-r${i}`)), 'the warm-up')
  progress('warmed up')

  /** One phase: RATE messages per second in total, round-robin over `phones`, after one untimed second; each timed from its control request. */
  async function phase(phones: string[], prefix: string, arrived: (text: string) => boolean): Promise<{ sentAt: Map<string, number>; perSecond: number }> {
    const sentAt = new Map<string, number>()
    let seconds = 0
    await new Promise<void>((resolve, reject) => {
      startRole('driver', [sim.control, SENDER, JSON.stringify(phones), String(MESSAGES), String(RATE), prefix, String(RATE)], (value: { text?: string; at?: number; seconds?: number }) => {
        if (value.text) sentAt.set(value.text, value.at!)
        if (value.seconds !== undefined) { seconds = value.seconds; resolve() }
      }).catch(reject)
    })
    await waitFor(() => [...sentAt.keys()].every(arrived), `every ${prefix} message`)
    return { sentAt, perSecond: round(MESSAGES / seconds) }
  }
  // Rounds alternate between the two, so that a slow spell of the machine does not fall on one side only; the
  // percentiles are over every message of every round.
  const rawPhase = { sentAt: new Map<string, number>(), perSecond: [] as number[] }
  const hookPhase = { sentAt: new Map<string, number>(), perSecond: [] as number[] }
  for (let r = 0; r < ROUNDS; r++) {
    const rawRound = await phase(rawPhones, `raw${r}-`, text => upsertAt.has(text))
    progress(`round ${r + 1}/${ROUNDS}, raw Baileys: ${MESSAGES} messages at ${rawRound.perSecond} msg/s`)
    const hookRound = await phase(wadockPhones, `hook${r}-`, text => hookAt.has(text))
    progress(`round ${r + 1}/${ROUNDS}, WaDock: ${MESSAGES} messages at ${hookRound.perSecond} msg/s delivered to the webhook`)
    for (const [from, to] of [[rawRound, rawPhase], [hookRound, hookPhase]] as const) {
      for (const [text, at] of from.sentAt) to.sentAt.set(text, at)
      to.perSecond.push(from.perSecond)
    }
  }

  const raw = [...rawPhase.sentAt].map(([text, at]) => upsertAt.get(text)! - at)
  if (process.env.BENCH_DEBUG) { // the 15 slowest messages of each kind, to see where a tail comes from
    const worst = (m: Map<string, number>, arr: Map<string, number>) => [...m].map(([t, at]) => [t, Math.round(arr.get(t)! - at)] as const).sort((a, b) => b[1] - a[1]).slice(0, 15)
    console.error('raw worst', JSON.stringify(worst(rawPhase.sentAt, upsertAt)))
    console.error('hook worst', JSON.stringify(worst(hookPhase.sentAt, hookAt)))
    console.error('stored worst', JSON.stringify(worst(hookPhase.sentAt, storedAt)))
  }
  const hook = [...hookPhase.sentAt].map(([text, at]) => hookAt.get(text)! - at)
  const stored = [...hookPhase.sentAt].map(([text, at]) => storedAt.get(text)! - at)
  const delivery = [...hookPhase.sentAt.keys()].map(text => hookAt.get(text)! - storedAt.get(text)!)
  const stats = (values: number[]) => ({ p50: round(percentile(values, 50)), p90: round(percentile(values, 90)), p99: round(percentile(values, 99)), max: round(Math.max(...values)) })
  const deliveries = host.webhooks.deliveries('hook-0', 1000)

  await host.stop()
  await sim.stop()
  await rm(dataDir, { recursive: true, force: true })

  const results = {
    benchmark: 'webhook latency (virtual phone → webhook POST) beside raw Baileys messages.upsert, same simulator, same run, alternating phases',
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, node: process.version, loadAverageBefore: round(loadBefore, 2), loadAverageAfter: round(loadavg()[0], 2) },
    load: { messagesPerRound: MESSAGES, rounds: ROUNDS, sessions: SESSIONS, targetPerSecond: RATE, achievedPerSecond: { raw: rawPhase.perSecond, wadock: hookPhase.perSecond } },
    webhookMs: stats(hook),
    rawBaileysUpsertMs: stats(raw),
    wadockStoredMs: stats(stored),
    storedToWebhookMs: stats(delivery),
    receiverRoundTripMs: { p50: round(percentile(deliveries.map(d => d.latencyMs), 50), 2), p99: round(percentile(deliveries.map(d => d.latencyMs), 99), 2) },
    targetP99Ms: 50,
    met: percentile(hook, 99) < 50
  }
  console.table({
    'webhook POST (phone → receiver)': results.webhookMs,
    'raw Baileys messages.upsert': results.rawBaileysUpsertMs,
    'WaDock stored (phone → message event)': results.wadockStoredMs,
    'stored → webhook POST': results.storedToWebhookMs
  })
  console.log(JSON.stringify({ load: results.load, met: results.met }))
  await mkdir(new URL('./results/', import.meta.url), { recursive: true })
  await writeFile(new URL('./results/webhook-latency.json', import.meta.url), JSON.stringify(results, null, 2) + '\n')
  process.exit(0)
}
