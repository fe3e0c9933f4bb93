import { spawn, type ChildProcess } from 'node:child_process'
import { createHash } from 'node:crypto'
import { writeFile } from 'node:fs/promises'
import { createInterface } from 'node:readline'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startSimulator, type Simulator } from '../../src/sim/index.js'
import { tempDir } from '../support/host-harness.js'

// A 1×1 JPEG; the phone encrypts and uploads it, the remote client downloads and decrypts it.
const IMAGE = Buffer.from('ffd8ffe000104a46494600010100000100010000ffdb004300080606070605080707070909080a0c140d0c0b0b0c1912130f141d1a1f1e1d1a1c1c20242e2720222c231c1c2837292c30313434341f27393d38323c2e333432ffc0000b080001000101011100ffc4001f0000010501010101010100000000000000000102030405060708090a0bffda0008010100003f00d2cf20ffd9', 'hex')

describe('simulator: a Baileys client in a separate process', () => {
  let sim: Simulator
  let child: ChildProcess | undefined
  let dir: Awaited<ReturnType<typeof tempDir>>
  beforeAll(async () => {
    sim = await startSimulator()
    dir = await tempDir()
  })
  afterAll(async () => {
    child?.kill('SIGKILL')
    await sim.stop()
    await dir.remove()
  })

  it('trusts the simulator through the preload and NODE_EXTRA_CA_CERTS, links and downloads media', async () => {
    const info = sim.info()
    const caFile = `${dir.path}/sim-ca.pem`
    await writeFile(caFile, info.caPem)
    child = spawn(process.execPath, ['--import', 'tsx', '--import', './src/sim/trust-preload.ts', 'test/fixtures/remote-client.ts'], {
      env: { ...process.env, WA_SIM_ROOT_PUB: info.rootPublicKey, WA_SIM_WS_URL: info.wsUrl, NODE_EXTRA_CA_CERTS: caFile },
      stdio: ['ignore', 'pipe', 'inherit']
    })
    const lines: Record<string, string>[] = []
    const waiters = new Set<() => void>()
    createInterface({ input: child.stdout! }).on('line', line => {
      lines.push(JSON.parse(line))
      for (const w of waiters) w()
    })
    const next = (key: string) => new Promise<string>((resolve, reject) => {
      const check = () => {
        const hit = lines.find(l => key in l)
        if (hit) { waiters.delete(check); clearTimeout(timer); resolve(hit[key]) }
      }
      const timer = setTimeout(() => reject(new Error(`no ${key} from the child`)), 30_000)
      waiters.add(check)
      check()
    })
    const qr = await next('qr')
    await sim.scanQr('15550008001', qr, 'Remote')
    expect(await next('open')).toMatch(/^15550008001:\d+@s\.whatsapp\.net$/)
    await sim.createAccount('15550008002', 'Sender')
    await sim.sendImage('15550008002', '15550008001', { bytes: IMAGE, mimetype: 'image/jpeg' })
    expect(await next('media')).toBe(createHash('sha256').update(IMAGE).digest('hex'))
  })
})
