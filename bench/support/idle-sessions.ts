/**
 * Links N sessions in a fresh process and reports its memory before and after, so that the figure is not
 * blurred by earlier work in the benchmark process. Usage: idle-sessions.ts <simInfoJson> <count> <firstPhone>
 */
import { TestClient } from '../../test/support/baileys-client.js'
import type { SimulatorInfo } from '../../src/sim/index.js'
import { settledRss } from './stats.js'

const [infoJson, countArg, firstPhoneArg] = process.argv.slice(2)
const info = JSON.parse(infoJson) as SimulatorInfo
const count = Number(countArg)
const firstPhone = Number(firstPhoneArg)
const control = info.wsUrl.replace('ws://', 'http://').replace(/\/ws\/chat$/, '')

async function link(phone: number): Promise<TestClient> {
  const client = new TestClient(info)
  client.connect()
  const qr = await client.waitForQr(30_000)
  const ready = client.waitForReady(60_000)
  const res = await fetch(`${control}/control/accounts/${phone}/scan`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ qr })
  })
  if (!res.ok) throw new Error(`scan failed: ${res.status}`)
  await ready
  return client
}

// Ten sessions first, not counted: start-up garbage, module caches and JIT warm-up would otherwise swamp the
// figure (RSS right after start is mostly freed-but-kept heap). The figure is the growth from 10 to 10 + count.
const WARM_UP = 10
const clients: TestClient[] = []
for (let i = 0; i < WARM_UP; i++) clients.push(await link(firstPhone + count + i))
await new Promise(resolve => setTimeout(resolve, 3000))
const baseline = await settledRss()
const baselineHeap = process.memoryUsage().heapUsed
for (let i = 0; i < count; i++) clients.push(await link(firstPhone + i))
// idle: let initial syncs, prekey uploads and presence settle
await new Promise(resolve => setTimeout(resolve, 5000))
const loaded = await settledRss()
const loadedHeap = process.memoryUsage().heapUsed
process.stdout.write(JSON.stringify({ count, baseline, loaded, baselineHeap, loadedHeap }) + '\n')
process.exit(0)
