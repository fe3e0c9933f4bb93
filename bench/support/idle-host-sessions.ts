/**
 * WaDock's counterpart of idle-sessions.ts: links N sessions through one host in a fresh process and reports the
 * memory growth. Usage: idle-host-sessions.ts <simInfoJson> <count> <firstPhone> <dataDir>
 */
import pino from 'pino'
import { createHost } from '../../src/main/host.js'
import type { HostEvent } from '../../src/shared/domain.js'
import type { SimulatorInfo } from '../../src/sim/index.js'
import { settledRss } from './stats.js'

const [infoJson, countArg, firstPhoneArg, dataDir] = process.argv.slice(2)
const info = JSON.parse(infoJson) as SimulatorInfo
const count = Number(countArg)
const firstPhone = Number(firstPhoneArg)
const control = info.wsUrl.replace('ws://', 'http://').replace(/\/ws\/chat$/, '')

const host = await createHost({
  dataDir,
  logger: pino({ level: 'error' }),
  target: { kind: 'simulator', wsUrl: info.wsUrl, rootPublicKey: info.rootPublicKey, caPem: info.caPem }
})
await host.start()

function nextEvent(check: (e: HostEvent) => boolean): Promise<HostEvent> {
  return new Promise(resolve => {
    const off = host.events.subscribe(e => { if (check(e)) { off(); resolve(e) } })
  })
}

async function link(id: string, phone: number): Promise<void> {
  const qr = nextEvent(e => e.type === 'qr' && e.sessionId === id)
  host.sessions.create({ id })
  const { qr: code } = (await qr) as Extract<HostEvent, { type: 'qr' }>
  const linked = nextEvent(e => e.type === 'status' && e.sessionId === id && e.status === 'logged_in')
  const res = await fetch(`${control}/control/accounts/${phone}/scan`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ qr: code })
  })
  if (!res.ok) throw new Error(`scan failed: ${res.status}`)
  await linked
}

const WARM_UP = 10
for (let i = 0; i < WARM_UP; i++) await link(`warm-${i}`, firstPhone + count + i)
await new Promise(resolve => setTimeout(resolve, 3000))
const baseline = await settledRss()
const baselineHeap = process.memoryUsage().heapUsed
for (let i = 0; i < count; i++) await link(`idle-${i}`, firstPhone + i)
await new Promise(resolve => setTimeout(resolve, 5000))
const loaded = await settledRss()
const loadedHeap = process.memoryUsage().heapUsed
process.stdout.write(JSON.stringify({ count, baseline, loaded, baselineHeap, loadedHeap }) + '\n')
await host.stop()
process.exit(0)
