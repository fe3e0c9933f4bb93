/** Runs the simulator in its own process, so that the benchmark's memory figures count only the clients. */
import { spawn, type ChildProcess } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import type { SimulatorInfo } from '../../src/sim/index.js'

export interface SimProcess {
  info: SimulatorInfo
  pid: number
  control: string
  scanQr(phone: string, qr: string, name?: string): Promise<{ device: string }>
  post(path: string, body: unknown): Promise<any>
  stop(): Promise<void>
}

export async function startSimProcess(): Promise<SimProcess> {
  const cli = fileURLToPath(new URL('../../src/sim/cli.ts', import.meta.url))
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', cli, '--port', '0', '--log', 'error'], { stdio: ['ignore', 'pipe', 'inherit'] })
  const firstLine = await new Promise<string>((resolve, reject) => {
    const rl = createInterface({ input: child.stdout! })
    rl.once('line', line => { rl.close(); resolve(line) })
    child.once('exit', code => reject(new Error(`simulator exited with ${code}`)))
  })
  // Never leave the simulator behind, whatever way this process ends.
  process.once('exit', () => child.kill('SIGTERM'))
  const info = JSON.parse(firstLine) as SimulatorInfo
  const control = info.wsUrl.replace('ws://', 'http://').replace(/\/ws\/chat$/, '')
  const post = async (path: string, body: unknown) => {
    const res = await fetch(`${control}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
    const json = await res.json()
    if (!res.ok) throw new Error(`${path}: ${res.status} ${JSON.stringify(json)}`)
    return json
  }
  return {
    info,
    pid: child.pid!,
    control,
    post,
    scanQr: (phone, qr, name) => post(`/control/accounts/${phone}/scan`, { qr, name }),
    stop: () => new Promise(resolve => {
      child.once('exit', () => resolve())
      child.kill('SIGTERM')
    })
  }
}

export interface MemoryReport { count: number; baseline: number; loaded: number; baselineHeap: number; loadedHeap: number }

/** Runs support/idle-sessions.ts (raw Baileys) in a fresh Node process and returns its memory report. */
export function measureIdleSessions(info: SimulatorInfo, count: number, firstPhone: number): Promise<MemoryReport> {
  return runMemoryScript('./idle-sessions.ts', [JSON.stringify(info), String(count), String(firstPhone)])
}

/** Runs support/idle-host-sessions.ts (WaDock sessions in one host) in a fresh Node process. */
export function measureIdleHostSessions(info: SimulatorInfo, count: number, firstPhone: number, dataDir: string): Promise<MemoryReport> {
  return runMemoryScript('./idle-host-sessions.ts', [JSON.stringify(info), String(count), String(firstPhone), dataDir])
}

async function runMemoryScript(relative: string, args: string[]): Promise<MemoryReport> {
  const script = fileURLToPath(new URL(relative, import.meta.url))
  const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', script, ...args], { stdio: ['ignore', 'pipe', 'inherit'] })
  const line = await new Promise<string>((resolve, reject) => {
    const rl = createInterface({ input: child.stdout! })
    rl.once('line', l => { rl.close(); resolve(l) })
    child.once('exit', code => reject(new Error(`idle-sessions exited with ${code}`)))
  })
  return JSON.parse(line) as MemoryReport
}
