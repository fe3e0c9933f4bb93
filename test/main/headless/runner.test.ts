/**
 * The headless runner's command line and lifecycle, as a child process: its flags, its startup line (the admin token
 * shown only on the run that generated it, `--token` replacing it, `--port` kept, the web UI's address), a sandbox
 * simulator it drives through its control URL, the REST API on the saved port, one runner per data folder, a clear exit on an
 * invalid settings file, media from an external simulator trusted through NODE_EXTRA_CA_CERTS, and SIGTERM: an
 * ordered stop, exit 0, the running session still marked to reconnect.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { connect } from 'node:net'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseServeArgs, UsageError } from '../../../src/main/headless.js'
import { startSimulator, type Simulator } from '../../../src/sim/index.js'
import { tempDir } from '../../support/host-harness.js'
import {
  linkSessionInProcess, poll, readDb, type Runner, sessionRow, simulatorTarget, startRunner, stopRunner, testPort
} from '../../support/headless-runner.js'

const KEY = 'ab'.repeat(32)

describe('parseServeArgs', () => {
  it('accepts the documented flags', () => {
    expect(parseServeArgs(['--data', 'x'], {})).toMatchObject({ dataDir: expect.stringMatching(/\/x$/), target: undefined, logLevel: 'info', help: false })
    expect(parseServeArgs(['--data', '/d', '--port', '8080', '--token', 'a'.repeat(16), '--sandbox', '--log', 'warn'], {}))
      .toEqual({ dataDir: '/d', port: 8080, token: 'a'.repeat(16), target: { kind: 'sandbox' }, logLevel: 'warn', help: false })
    expect(parseServeArgs(['--data', '/d', '--wa-url', 'ws://127.0.0.1:1/ws/chat', '--wa-root-key', KEY.toUpperCase()], {}).target)
      .toEqual({ kind: 'simulator', wsUrl: 'ws://127.0.0.1:1/ws/chat', rootPublicKey: KEY })
    expect(parseServeArgs(['--help'], {}).help).toBe(true)
    expect(parseServeArgs(['--data', '/d'], { WADOCK_LOG: 'debug' }).logLevel).toBe('debug')
  })

  it.each([
    [[], /--data DIR is required/],
    [['--data', '/d', '--port', '0'], /--port must be/],
    [['--data', '/d', '--port', '65536'], /--port must be/],
    [['--data', '/d', '--port', '80.5'], /--port must be/],
    [['--data', '/d', '--port', 'http'], /--port must be/],
    [['--data', '/d', '--token', 'short'], /--token must be/],
    [['--data', '/d', '--token', 'has spaces in it, sixteen+'], /--token must be/],
    [['--data', '/d', '--wa-url', 'ws://h/ws/chat'], /go together/],
    [['--data', '/d', '--wa-url', 'http://h/ws/chat', '--wa-root-key', KEY], /ws:\/\/ or wss:\/\//],
    [['--data', '/d', '--wa-url', 'ws://h/ws/chat', '--wa-root-key', 'abc'], /64 hex digits/],
    [['--data', '/d', '--sandbox', '--wa-url', 'ws://h/ws/chat', '--wa-root-key', KEY], /exclude each other/],
    [['--data', '/d', '--log', 'loud'], /--log must be/],
    [['--data', '/d', '--nope'], /Unknown option/],
    [['--data', '/d', 'extra'], /positional/]
  ])('rejects %j', (argv, message) => {
    expect(() => parseServeArgs(argv as string[], {})).toThrow(UsageError)
    expect(() => parseServeArgs(argv as string[], {})).toThrow(message)
  })
})

describe('headless runner', () => {
  const runners: Runner[] = []
  const dirs: { remove(): Promise<void> }[] = []
  let sim: Simulator

  beforeAll(async () => { sim = await startSimulator() })
  afterAll(async () => {
    for (const r of runners) await stopRunner(r, 'SIGKILL')
    for (const d of dirs) await d.remove()
    await sim?.stop()
  })

  const run = (args: string[], env?: NodeJS.ProcessEnv) => {
    const runner = startRunner(args, env)
    runners.push(runner)
    return runner
  }
  const folder = async () => {
    const dir = await tempDir('wadock-serve-')
    dirs.push(dir)
    return dir.path
  }
  const settingsOf = (dir: string) => JSON.parse(readFileSync(join(dir, 'settings.json'), 'utf8'))
  const refused = (port: number) => new Promise<boolean>(resolve => {
    const socket = connect({ host: '127.0.0.1', port })
    socket.once('connect', () => { socket.destroy(); resolve(false) })
    socket.once('error', () => resolve(true))
  })

  it('bad flags exit with 2 and say why, before touching the data folder', async () => {
    const dir = await folder()
    const runner = run(['--data', dir, '--port', '0'])
    expect(await runner.exited).toEqual({ code: 2, signal: null })
    expect(runner.stderr.join('\n')).toMatch(/--port must be a TCP port number from 1 to 65535/)
    expect(() => readFileSync(join(dir, 'settings.json'))).toThrow()
  })

  it('prints its startup line; the admin token only when generated; --token replaces it; --port is kept', async () => {
    const dir = await folder()
    const port = 20_000 + Math.floor(Math.random() * 20_000)
    const first = run(['--data', dir, '--sandbox', '--port', String(port)])
    const line = await first.line
    expect(line).toEqual({
      ready: true,
      dataDir: dir,
      rest: { host: '127.0.0.1', port, enabled: true, url: `http://127.0.0.1:${port}` },
      ui: `http://127.0.0.1:${port}/app/`,
      adminToken: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      sandbox: { controlUrl: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/control$/), wsUrl: expect.stringMatching(/^ws:\/\/127\.0\.0\.1:\d+\/ws\/chat$/) }
    })
    expect(settingsOf(dir)).toMatchObject({ adminToken: line.adminToken, rest: { port } })
    // the sandbox simulator answers on its control URL, and can act as a phone
    const info = await (await fetch(`${line.sandbox!.controlUrl}/info`)).json() as { wsUrl: string }
    expect(info.wsUrl).toBe(line.sandbox!.wsUrl)
    const created = await fetch(`${line.sandbox!.controlUrl}/accounts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ phone: '15557770001' }) })
    expect(created.status).toBe(201)
    // the REST API listens on the saved port and takes the admin token
    expect(await (await fetch(`http://127.0.0.1:${port}/health`)).json()).toEqual({ status: 'ok' })
    const listed = await fetch(`http://127.0.0.1:${port}/api/v1/sessions`, { headers: { authorization: `Bearer ${line.adminToken}` } })
    expect(await listed.json()).toEqual({ sessions: [], total: 0 })
    // one runner per data folder
    const second = run(['--data', dir, '--sandbox'])
    expect(await second.exited).toEqual({ code: 75, signal: null })
    expect(second.stderr.join('\n')).toMatch(new RegExp(`another WaDock \\(pid ${first.child.pid}\\) is using`))
    expect(await stopRunner(first)).toEqual({ code: 0, signal: null })
    // the API stopped with it
    expect(await refused(port)).toBe(true)
    expect(first.stderr.map(l => JSON.parse(l).msg)).toEqual(expect.arrayContaining(['ready', 'stopping', 'stopped']))

    const again = run(['--data', dir, '--sandbox'])
    const line2 = await again.line
    expect(line2).not.toHaveProperty('adminToken')
    expect(line2.rest.port).toBe(port)
    expect(await stopRunner(again)).toEqual({ code: 0, signal: null })
    expect(settingsOf(dir).adminToken).toBe(line.adminToken)

    const token = 'my-own-admin-token_0123'
    const third = run(['--data', dir, '--sandbox', '--token', token])
    expect(await third.line).not.toHaveProperty('adminToken')
    expect(await stopRunner(third)).toEqual({ code: 0, signal: null })
    expect(settingsOf(dir).adminToken).toBe(token)
  })

  it('an invalid settings file stops it with exit 78 and names the file and the fields', async () => {
    const dir = await folder()
    writeFileSync(join(dir, 'settings.json'), JSON.stringify({ rest: { port: 'x' }, closeToTray: 1 }))
    const runner = run(['--data', dir, '--sandbox'])
    expect(await runner.exited).toEqual({ code: 78, signal: null })
    const said = runner.stderr.join('\n')
    expect(said).toContain(`invalid settings file ${join(dir, 'settings.json')}`)
    expect(said).toMatch(/rest\.port: .*number/)
    expect(said).toMatch(/closeToTray: .*boolean/)
    writeFileSync(join(dir, 'settings.json'), '{ not json')
    const again = run(['--data', dir, '--sandbox'])
    expect(await again.exited).toEqual({ code: 78, signal: null })
    expect(again.stderr.join('\n')).toMatch(/not valid JSON/)
  })

  it('SIGTERM stops in order and exits 0; the linked session stays marked to reconnect (and its media was saved)', async () => {
    const dir = await folder()
    await linkSessionInProcess(sim, dir, 'kept', '15557770011')
    const target = await simulatorTarget(sim, dir)
    const runner = run(['--data', dir, '--port', String(testPort()), ...target.args], target.env)
    await runner.line
    await poll(() => sessionRow(dir, 'kept')?.status === 'logged_in', 'the session to log in')
    // media from the external simulator is trusted through NODE_EXTRA_CA_CERTS and saved under the data folder
    await sim.createAccount('15557770012')
    const image = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff]), Buffer.alloc(300, 9)])
    const { id } = await sim.sendImage('15557770012', '15557770011', { bytes: image, mimetype: 'image/jpeg' })
    const mediaPath = await poll(() => readDb(dir, db => (db.prepare('SELECT media_path FROM messages WHERE message_id = ?').get(id) as { media_path: string | null } | undefined)?.media_path), 'the image saved')
    expect(mediaPath).toBe(`sessions/kept/media/${id}.jpg`)
    expect(readFileSync(join(dir, mediaPath))).toEqual(image)
    expect(await stopRunner(runner)).toEqual({ code: 0, signal: null })
    expect(sessionRow(dir, 'kept')).toEqual({ status: 'disconnected', was_running: 1 })
    // and the next run brings it back
    const next = run(['--data', dir, ...target.args], target.env)
    await next.line
    await poll(() => sessionRow(dir, 'kept')?.status === 'logged_in', 'the session to log in again')
    expect(await stopRunner(next, 'SIGINT')).toEqual({ code: 0, signal: null })
  })
})
