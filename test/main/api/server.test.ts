/** startApiServer: port 0, the default port, close() with keep-alive and busy connections, a taken port. */
import { Agent, request } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApiApp } from '../../../src/main/api/app.js'
import { DEFAULT_API_HOST, DEFAULT_API_PORT, DEFAULT_BODY_LIMIT } from '../../../src/main/api/constants.js'
import { startApiServer } from '../../../src/main/api/server.js'
import { healthSchema } from '../../../src/main/api/v1/schemas.js'
import { DEFAULT_SETTINGS } from '../../../src/main/settings/schema.js'
import { startSimulator, type Simulator } from '../../../src/sim/index.js'
import { HostHarness, tempDir } from '../../support/host-harness.js'
import { ADMIN_TOKEN } from './api-fixture.js'

describe('startApiServer', () => {
  let sim: Simulator
  let harness: HostHarness
  let removeDir: () => Promise<void>
  let never: Promise<void>
  beforeAll(async () => {
    sim = await startSimulator()
    const dir = await tempDir('wadock-api-server-')
    removeDir = dir.remove
    harness = await HostHarness.start(sim, dir.path)
    never = new Promise<void>(() => {})
  })
  afterAll(async () => {
    await harness?.stop()
    await removeDir?.()
    await sim?.stop()
  })

  const app = () => createApiApp({
    host: harness.host,
    adminToken: () => ADMIN_TOKEN,
    routes: [registry => registry.add({
      method: 'get', path: '/api/v1/test/hang', operationId: 'testHang', tags: ['test'], access: 'public', summary: 'never answers',
      response: { description: 'never', schema: healthSchema },
      handler: async () => { await never; return { status: 'ok' as const } }
    })]
  })

  it('documents its defaults: 127.0.0.1:7780, the settings\' default port, 25 MB bodies', () => {
    expect(DEFAULT_API_PORT).toBe(7780)
    expect(DEFAULT_API_HOST).toBe('127.0.0.1')
    expect(DEFAULT_SETTINGS.rest.port).toBe(DEFAULT_API_PORT)
    expect(DEFAULT_BODY_LIMIT).toBe('25mb')
  })

  it('listens on a free port and closes keep-alive connections at once', async () => {
    const server = await startApiServer(app(), { host: '127.0.0.1', port: 0, closeGraceMs: 30_000 })
    expect(server.port).toBeGreaterThan(0)
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`)
    const agent = new Agent({ keepAlive: true })
    const socketClosed = new Promise<void>(resolve => {
      const req = request(`${server.url}/health`, { agent }, res => {
        expect(res.statusCode).toBe(200)
        expect(res.headers.connection).toBe('keep-alive')
        res.resume()
        res.on('end', () => req.socket?.once('close', () => resolve()))
      })
      req.end()
    })
    await new Promise(resolve => setTimeout(resolve, 50))
    const started = Date.now()
    await server.close()
    await socketClosed
    // well under the 30 s grace: the idle keep-alive socket did not hold close() up
    expect(Date.now() - started).toBeLessThan(5_000)
    agent.destroy()
  })

  it('cuts a request still in progress once the grace period is over', async () => {
    const server = await startApiServer(app(), { port: 0, closeGraceMs: 100 })
    const cut = new Promise<string>(resolve => {
      const req = request(`${server.url}/api/v1/test/hang`, res => resolve(`answered ${res.statusCode}`))
      req.on('error', err => resolve((err as NodeJS.ErrnoException).code ?? err.message))
      req.end()
    })
    await new Promise(resolve => setTimeout(resolve, 100))
    await server.close()
    expect(await cut).toBe('ECONNRESET')
  })

  it('rejects when the port is taken', async () => {
    const first = await startApiServer(app(), { port: 0 })
    await expect(startApiServer(app(), { port: first.port })).rejects.toMatchObject({ code: 'EADDRINUSE' })
    await first.close()
  })
})
