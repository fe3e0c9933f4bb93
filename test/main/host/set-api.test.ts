/** host.setApi(): the REST API restarts with new options, one change at a time. */
import { createServer } from 'node:net'
import pino from 'pino'
import { afterEach, describe, expect, it } from 'vitest'
import { createHost, type Host, type HostApiOptions } from '../../../src/main/host.js'
import { tempDir } from '../../support/host-harness.js'

const freePort = () => new Promise<number>(resolve => {
  const probe = createServer().listen(0, '127.0.0.1', () => {
    const { port } = probe.address() as { port: number }
    probe.close(() => resolve(port))
  })
})

describe('host.setApi', () => {
  const cleanups: (() => Promise<unknown>)[] = []
  afterEach(async () => { for (const c of cleanups.splice(0).reverse()) await c() })

  async function host(api: HostApiOptions): Promise<Host> {
    const dir = await tempDir('wadock-setapi-')
    const h = await createHost({ dataDir: dir.path, logger: pino({ level: 'silent' }), api })
    cleanups.push(() => dir.remove(), () => h.stop())
    await h.start()
    return h
  }
  const api = (port: number, enabled = true): HostApiOptions => ({ enabled, host: '127.0.0.1', port, adminToken: () => 'set-api-admin-token-0123' })

  it('applies overlapping changes one after the other: the last one wins and no port is taken twice', async () => {
    const h = await host(api(await freePort()))
    const port = await freePort()
    await Promise.all([h.setApi(api(port)), h.setApi(api(port)), h.setApi(api(port))])
    expect(h.apiUrl).toBe(`http://127.0.0.1:${port}`)
    expect((await fetch(`${h.apiUrl}/health`)).status).toBe(200)
    await Promise.all([h.setApi(api(port)), h.setApi(api(port, false))])
    expect(h.apiUrl).toBeUndefined()
    await expect(fetch(`http://127.0.0.1:${port}/health`)).rejects.toThrow()
  })
})
