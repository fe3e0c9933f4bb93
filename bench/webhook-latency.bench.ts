/**
 * Webhook latency: from a virtual phone's message to the webhook POST arriving at a local receiver, beside raw
 * Baileys' own `messages.upsert` for the very same messages, on the same simulator, in the same run.
 * Run: `npm run bench:webhooks` (BENCH_MESSAGES, BENCH_RATE, BENCH_SESSIONS override the sizes).
 *
 * Ten accounts each have two linked devices: a WaDock session (its webhook pointing at the receiver, native
 * format) and a raw Baileys client. One virtual phone sends to the ten accounts in turn at 100 messages per second
 * in total; every message reaches both devices. Latency is measured from the control request that makes the phone
 * send to (a) the webhook request's arrival and (b) the raw client's `messages.upsert`. The simulator, the raw
 * clients and the receiver each run in a process of their own (this script, started with a role), as a script
 * receiving webhooks would; times are compared on the shared clock (performance.timeOrigin + performance.now()).
 * Target: webhook p99 under 50 ms.
 */
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
else await main()

async function main(): Promise<void> {
  const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 1000)
  const RATE = Number(process.env.BENCH_RATE ?? 100)
  const SESSIONS = Number(process.env.BENCH_SESSIONS ?? 10)
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

  // each account: a WaDock session and a raw client, both linked devices of it
  const upsertAt = new Map<string, number>()
  const phones = Array.from({ length: SESSIONS }, (_, i) => String(15558800100 + i))
  await sim.post('/control/accounts', { phone: SENDER, name: 'Load' })
  for (const [i, phone] of phones.entries()) {
    const id = `hook-${i}`
    const qrEvent = nextEvent('qr', e => e.sessionId === id)
    host.sessions.create({ id, webhook: { url: hookUrl, events: ['message'] } })
    const linked = nextEvent('status', e => e.sessionId === id && e.status === 'logged_in')
    await sim.scanQr(phone, (await qrEvent).qr)
    await linked
  }
  await startRole('raw', [JSON.stringify(sim.info), JSON.stringify(phones)], ({ text, at }: { text: string; at: number }) => { if (!upsertAt.has(text)) upsertAt.set(text, at) })
  progress(`linked ${SESSIONS} accounts, each to a WaDock session and a raw client`)

  async function waitFor(check: () => boolean, what: string, timeoutMs = 120_000): Promise<void> {
    const end = Date.now() + timeoutMs
    while (!check()) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
      await new Promise(resolve => setTimeout(resolve, 20))
    }
  }

  // warm-up: one message per account, through both paths
  for (const [i, phone] of phones.entries()) await sim.post(`/control/accounts/${SENDER}/messages`, { to: phone, text: `warm-${i}` })
  await waitFor(() => phones.every((_, i) => hookAt.has(`warm-${i}`) && upsertAt.has(`warm-${i}`)), 'the warm-up')
  progress('warmed up')

  // the load: RATE messages per second in total, round-robin over the accounts, each send timed from its request
  const sentAt = new Map<string, number>()
  const sends: Promise<unknown>[] = []
  const t0 = performance.now()
  for (let n = 0; n < MESSAGES; n++) {
    const due = t0 + (n * 1000) / RATE
    const wait = due - performance.now()
    if (wait > 1) await new Promise(resolve => setTimeout(resolve, wait))
    const text = `load-${n}`
    sentAt.set(text, now())
    sends.push(sim.post(`/control/accounts/${SENDER}/messages`, { to: phones[n % SESSIONS], text }))
  }
  await Promise.all(sends)
  const sendSeconds = (performance.now() - t0) / 1000
  await waitFor(() => [...sentAt.keys()].every(t => hookAt.has(t) && upsertAt.has(t)), 'every message on both paths')
  progress(`${MESSAGES} messages at ${round(MESSAGES / sendSeconds)} msg/s delivered to the webhook and to raw Baileys`)

  const hook = [...sentAt].map(([text, at]) => hookAt.get(text)! - at)
  const raw = [...sentAt].map(([text, at]) => upsertAt.get(text)! - at)
  const extra = [...sentAt.keys()].map(text => hookAt.get(text)! - upsertAt.get(text)!)
  const stored = [...sentAt].map(([text, at]) => storedAt.get(text)! - at)
  const delivery = [...sentAt.keys()].map(text => hookAt.get(text)! - storedAt.get(text)!)
  const stats = (values: number[]) => ({ p50: round(percentile(values, 50)), p90: round(percentile(values, 90)), p99: round(percentile(values, 99)), max: round(Math.max(...values)) })
  const deliveries = host.webhooks.deliveries('hook-0', 1000)

  await host.stop()
  await sim.stop()
  await rm(dataDir, { recursive: true, force: true })

  const results = {
    benchmark: 'webhook latency (virtual phone → webhook POST) beside raw Baileys messages.upsert, same messages, same simulator, same run',
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, node: process.version, loadAverageBefore: round(loadBefore, 2), loadAverageAfter: round(loadavg()[0], 2) },
    load: { messages: MESSAGES, sessions: SESSIONS, targetPerSecond: RATE, achievedPerSecond: round(MESSAGES / sendSeconds) },
    webhookMs: stats(hook),
    rawBaileysUpsertMs: stats(raw),
    webhookMinusRawMs: stats(extra),
    wadockStoredMs: stats(stored),
    storedToWebhookMs: stats(delivery),
    receiverRoundTripMs: { p50: round(percentile(deliveries.map(d => d.latencyMs), 50), 2), p99: round(percentile(deliveries.map(d => d.latencyMs), 99), 2) },
    targetP99Ms: 50,
    met: percentile(hook, 99) < 50
  }
  console.table({
    'webhook POST (phone → receiver)': results.webhookMs,
    'raw Baileys messages.upsert': results.rawBaileysUpsertMs,
    'webhook minus raw, same message': results.webhookMinusRawMs,
    'WaDock stored (phone → message event)': results.wadockStoredMs,
    'stored → webhook POST': results.storedToWebhookMs
  })
  console.log(JSON.stringify({ load: results.load, met: results.met }))
  await mkdir(new URL('./results/', import.meta.url), { recursive: true })
  await writeFile(new URL('./results/webhook-latency.json', import.meta.url), JSON.stringify(results, null, 2) + '\n')
  process.exit(0)
}
