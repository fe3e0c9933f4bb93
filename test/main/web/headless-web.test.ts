/**
 * The headless runner (`npm run serve:dev -- --sandbox`) as a child process: its startup line names the web UI,
 * which serves the page and the bridge on the REST API's port; through the socket alone, a session is created,
 * linked by a virtual phone of the built-in simulator, receives a message from another one, and logs out.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import { tempDir } from '../../support/host-harness.js'
import { type Runner, startRunner, stopRunner, testPort } from '../../support/headless-runner.js'
import { call } from '../api/api-fixture.js'
import { Client } from './bridge-client.js'

describe('headless runner with the web UI', () => {
  let runner: Runner | undefined
  let dir: Awaited<ReturnType<typeof tempDir>> | undefined
  afterAll(async () => {
    if (runner) await stopRunner(runner, 'SIGKILL')
    await dir?.remove()
  })

  it('serves the UI and the bridge; a sandbox session goes from QR to linked to logged out through the socket', async () => {
    dir = await tempDir('wadock-serve-web-')
    const renderer = join(dir.path, 'renderer')
    mkdirSync(renderer)
    writeFileSync(join(renderer, 'index.html'), '<!doctype html><title>WaDock</title>')
    const port = testPort()
    runner = startRunner(['--data', join(dir.path, 'data'), '--port', String(port), '--sandbox'], { WADOCK_RENDERER_DIR: renderer })
    const line = await runner.line
    expect(line.ui).toBe(`http://127.0.0.1:${port}/app/`)
    expect((await call(port, 'GET', '/app/')).status).toBe(200)

    const ws = new WebSocket(`ws://127.0.0.1:${port}/app/bridge`, ['wadock.bridge', `token.${line.adminToken}`], { headers: { origin: `http://localhost:${port}` } })
    const client = new Client(ws)
    await new Promise((resolve, reject) => { ws.once('open', resolve); ws.once('error', reject) })
    expect(await client.request('appInfo')).toMatchObject({ ok: true, value: { shell: 'web', sandbox: true, apiUrl: `http://127.0.0.1:${port}` } })
    expect(await client.request('createSession', { id: 'demo' })).toMatchObject({ ok: true })
    await client.event('qr', e => e.sessionId === 'demo')
    expect(await client.request('sandboxLink', { sessionId: 'demo', phone: '15557770001', name: 'Demo Phone' })).toMatchObject({ ok: true })
    await client.event('status', e => e.sessionId === 'demo' && e.status === 'logged_in')
    const sent = await client.request('sandboxSendMessage', { fromPhone: '15557770002', toSessionId: 'demo', text: 'hi from the sandbox' })
    await client.event('message', e => e.sessionId === 'demo' && e.id === sent.value.id && e.text === 'hi from the sandbox')
    await client.event('storage', e => e.sessionId === 'demo' && e.stats.chats >= 1)
    expect(await client.request('logoutSession', 'demo')).toMatchObject({ ok: true, value: { status: 'disconnected', reason: 'logged_out' } })
    ws.close()
    expect(await stopRunner(runner)).toEqual({ code: 0, signal: null })
  })
})
