/**
 * A linked raw Baileys client that receives a benchmark's messages in a process of its own, as the phone they are
 * sent to would: its decryption and receipts are then charged to neither of the senders being compared, and how
 * the messages happen to arrive (in bursts or one by one) does not change what the sender's process pays.
 *
 * Run as a script, it links `phone` on the simulator, prints one line when ready, then counts the texts it receives
 * by label (a text's words but the last: "rest3 17" → "rest3") and answers each `{"wait": label, "count": n}` line on
 * stdin with `{"done": label}` once it has n distinct messages of that label.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import type { SimulatorInfo } from '../../src/sim/index.js'

export interface ReceiverProcess {
  pid: number
  /** Resolves once `count` distinct messages labelled `label` have arrived (counting those that already have). */
  waitFor(label: string, count: number, timeoutMs?: number): Promise<void>
  stop(): Promise<void>
}

export async function startReceiverProcess(info: SimulatorInfo, phone: string): Promise<ReceiverProcess> {
  const script = fileURLToPath(import.meta.url)
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', script, JSON.stringify(info), phone], { stdio: ['pipe', 'pipe', 'inherit'] })
  process.once('exit', () => child.kill('SIGTERM'))
  const lines = createInterface({ input: child.stdout! })
  const waiting = new Map<string, () => void>()
  await new Promise<void>((resolve, reject) => {
    child.once('exit', code => reject(new Error(`receiver exited with ${code}`)))
    lines.on('line', line => {
      const message = JSON.parse(line) as { ready?: true; done?: string }
      if (message.ready) resolve()
      if (message.done !== undefined) {
        waiting.get(message.done)?.()
        waiting.delete(message.done)
      }
    })
  })
  return {
    pid: child.pid!,
    waitFor(label, count, timeoutMs = 180_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${label}: not all of ${count} messages arrived in ${timeoutMs} ms`)), timeoutMs)
        waiting.set(label, () => { clearTimeout(timer); resolve() })
        child.stdin!.write(JSON.stringify({ wait: label, count }) + '\n')
      })
    },
    stop: () => new Promise(resolve => {
      if (child.exitCode !== null) return resolve()
      child.once('exit', () => resolve())
      child.kill('SIGTERM')
    })
  }
}

async function runReceiver(info: SimulatorInfo, phone: string): Promise<void> {
  const { TestClient } = await import('../../test/support/baileys-client.js')
  const client = new TestClient(info)
  client.connect()
  const qr = await client.waitForQr(30_000)
  const open = client.waitFor('connection.update', u => u.connection === 'open', 60_000)
  const control = info.wsUrl.replace('ws://', 'http://').replace(/\/ws\/chat$/, '')
  const scanned = await fetch(`${control}/control/accounts/${phone}/scan`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ qr })
  })
  if (!scanned.ok) throw new Error(`scan: ${scanned.status} ${await scanned.text()}`)
  await open

  const arrived = new Map<string, Set<string>>()
  const wanted = new Map<string, number>()
  const answer = (label: string) => {
    if ((arrived.get(label)?.size ?? 0) < (wanted.get(label) ?? Infinity)) return
    wanted.delete(label)
    arrived.delete(label)
    process.stdout.write(JSON.stringify({ done: label }) + '\n')
  }
  client.sock!.ev.on('messages.upsert', ({ messages }) => {
    for (const m of messages) {
      const text = m.message?.conversation ?? m.message?.extendedTextMessage?.text
      const space = text?.lastIndexOf(' ') ?? -1
      if (!text || space < 0 || !m.key.id) continue
      const label = text.slice(0, space)
      let ids = arrived.get(label)
      if (!ids) arrived.set(label, ids = new Set())
      ids.add(m.key.id)
      if (wanted.has(label)) answer(label)
    }
    // what the client keeps for retries is not needed here, and would only grow
    client.messages.length = 0
  })
  createInterface({ input: process.stdin }).on('line', line => {
    const { wait, count } = JSON.parse(line) as { wait: string; count: number }
    wanted.set(wait, count)
    answer(wait)
  })
  process.on('SIGTERM', () => { client.stop(); process.exit(0) })
  process.stdout.write(JSON.stringify({ ready: true }) + '\n')
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  runReceiver(JSON.parse(process.argv[2]) as SimulatorInfo, process.argv[3]).catch(err => {
    console.error(err)
    process.exit(1)
  })
}
