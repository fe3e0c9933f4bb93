/**
 * The simulator's HTTP control API with plain fetch, its robustness against clients that speak garbage on the chat
 * WebSocket, and the `sim` CLI as a child process.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import {
  Curve, DEFAULT_CONNECTION_CONFIG, generateRegistrationNode, initAuthCreds, makeNoiseHandler, NOISE_WA_HEADER, proto, type WAMessage
} from '@whiskeysockets/baileys'
import pino from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { startSimulator, type Simulator } from '../../src/sim/index.js'
import { TestClient } from '../support/baileys-client.js'

const textOf = (m: WAMessage) => m.message?.conversation ?? m.message?.extendedTextMessage?.text ?? undefined

interface Reply { status: number; body: any; contentType: string | null }

async function call(base: string, method: string, path: string, body?: unknown, rawBody?: string): Promise<Reply> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: body === undefined && rawBody === undefined ? undefined : { 'content-type': 'application/json' },
    body: rawBody ?? (body === undefined ? undefined : JSON.stringify(body))
  })
  return { status: res.status, contentType: res.headers.get('content-type'), body: await res.json() }
}

function frame(payload: Uint8Array): Buffer {
  const out = Buffer.alloc(payload.length + 3)
  out.writeUIntBE(payload.length, 0, 3)
  out.set(payload, 3)
  return out
}

/** Opens a raw WebSocket to the chat endpoint, runs `script` once open, and resolves when the server closed it. */
async function rawClient(what: string, url: string, script: (ws: WebSocket) => Promise<void> | void, timeoutMs = 5_000): Promise<{ code: number }> {
  const ws = new WebSocket(url)
  ws.on('error', () => undefined)
  const closed = once(ws, 'close') as Promise<[number, Buffer]>
  await once(ws, 'open')
  await script(ws)
  let timer: NodeJS.Timeout | undefined
  try {
    const [code] = await Promise.race([
      closed,
      new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`the simulator kept the connection open after ${what}`)), timeoutMs) })
    ])
    return { code }
  } finally {
    clearTimeout(timer)
    ws.terminate()
  }
}

/**
 * Completes a genuine Noise handshake the way Baileys does, sending `payload` (a registration by default), and
 * returns the client's noise state: its `encodeFrame` encrypts transport frames from then on.
 */
async function handshake(ws: WebSocket, payload?: proto.IClientPayload): Promise<ReturnType<typeof makeNoiseHandler>> {
  const ephemeral = Curve.generateKeyPair()
  const noise = makeNoiseHandler({ keyPair: ephemeral, NOISE_HEADER: NOISE_WA_HEADER, logger: pino({ level: 'silent' }) as any })
  ws.send(noise.encodeFrame(proto.HandshakeMessage.encode({ clientHello: { ephemeral: ephemeral.public } }).finish()))
  const [data] = (await once(ws, 'message')) as [Buffer]
  const creds = initAuthCreds()
  const keyEnc = noise.processHandshake(proto.HandshakeMessage.decode(data.subarray(3)), creds.noiseKey)
  const clientPayload = payload ?? generateRegistrationNode(creds, DEFAULT_CONNECTION_CONFIG as any)
  const encrypted = noise.encrypt(proto.ClientPayload.encode(clientPayload).finish())
  ws.send(noise.encodeFrame(proto.HandshakeMessage.encode({ clientFinish: { static: keyEnc, payload: encrypted } }).finish()))
  await noise.finishInit()
  return noise
}

describe('simulator control API over HTTP', () => {
  let sim: Simulator
  let base: string
  const clients: TestClient[] = []
  const api = (method: string, path: string, body?: unknown) => call(base, method, path, body)

  beforeAll(async () => {
    sim = await startSimulator()
    base = `http://127.0.0.1:${sim.port}`
  })
  afterAll(async () => {
    for (const c of clients) c.stop()
    await sim.stop()
  })

  /** Links a fresh Baileys client through POST /control/accounts/:phone/scan. */
  async function linkOverHttp(phone: string, name: string): Promise<TestClient> {
    const client = new TestClient(sim.info())
    clients.push(client)
    client.connect()
    const qr = await client.waitForQr()
    const ready = client.waitForReady(20_000)
    const res = await api('POST', `/control/accounts/${phone}/scan`, { qr, name })
    expect(res.status).toBe(200)
    expect(res.body.device).toMatch(new RegExp(`^${phone}:\\d+@s\\.whatsapp\\.net$`))
    await ready
    await client.until(() => client.connection === 'open' && (client.creds.accountSyncCounter ?? 0) > 0, 15_000, 'initial sync')
    return client
  }

  it('GET /control/info describes how to connect', async () => {
    const res = await api('GET', '/control/info')
    expect(res.status).toBe(200)
    expect(res.contentType).toMatch(/^application\/json/)
    expect(res.body).toEqual({
      wsUrl: `ws://127.0.0.1:${sim.port}/ws/chat`,
      mediaUrl: expect.stringMatching(/^https:\/\/127\.0\.0\.1:\d+$/),
      rootPublicKey: expect.stringMatching(/^[0-9a-f]{64}$/),
      caPem: expect.stringContaining('-----BEGIN CERTIFICATE-----')
    })
    expect(res.body).toEqual(sim.info())
  })

  it('POST /control/accounts creates an account (idempotently) and GET lists it', async () => {
    const created = await api('POST', '/control/accounts', { phone: '+1 (555) 000-7001', name: 'Carol' })
    expect(created.status).toBe(201)
    expect(created.body).toEqual({ phone: '15550007001', lid: expect.stringMatching(/^\d+$/) })

    const again = await api('POST', '/control/accounts', { phone: '15550007001' })
    expect(again.body).toEqual(created.body)

    const list = await api('GET', '/control/accounts')
    expect(list.status).toBe(200)
    expect(list.body).toContainEqual({ phone: '15550007001', lid: created.body.lid, name: 'Carol', devices: [{ id: 0, online: true }] })
    const one = await api('GET', '/control/accounts/15550007001')
    expect(one).toMatchObject({ status: 200, body: { phone: '15550007001', name: 'Carol' } })
    expect((await api('GET', '/control/accounts/15550007999')).status).toBe(404)
  })

  it('links by scan, lists the device online, routes messages both ways and records what the phone received', async () => {
    await api('POST', '/control/accounts', { phone: '15550007002', name: 'Dave' })
    const client = await linkOverHttp('15550007003', 'Erin')
    const deviceId = Number(client.me!.id.split(':')[1].split('@')[0])
    const erin = (await api('GET', '/control/accounts')).body.find((a: any) => a.phone === '15550007003')
    expect(erin).toEqual({ phone: '15550007003', lid: expect.stringMatching(/^\d+$/), name: 'Erin', devices: [{ id: 0, online: true }, { id: deviceId, online: true }] })

    const sent = await client.sock!.sendMessage('15550007002@s.whatsapp.net', { text: 'hello dave' })
    await sim.account('15550007002').phoneDevice.waitForMessage(m => m.id === sent!.key.id)
    const inbox = await api('GET', '/control/accounts/15550007002/messages')
    expect(inbox.status).toBe(200)
    expect(inbox.body).toEqual([{
      id: sent!.key.id,
      from: '15550007003@s.whatsapp.net',
      chat: '15550007003@s.whatsapp.net',
      type: 'text',
      text: 'hello dave',
      timestamp: expect.any(Number)
    }])
    expect(Math.abs(inbox.body[0].timestamp - Date.now() / 1000)).toBeLessThan(60)

    const reply = await api('POST', '/control/accounts/15550007002/messages', { to: '15550007003', text: 'hi erin' })
    expect(reply.status).toBe(200)
    expect(reply.body).toEqual({ id: expect.any(String) })
    const got = await client.waitForMessage(m => m.key.id === reply.body.id)
    expect(textOf(got)).toBe('hi erin')
    expect(got.key.remoteJid).toMatch(/^(15550007002@s\.whatsapp\.net|\d+@lid)$/)
  })

  it('answers a QR nobody shows with 404 JSON', async () => {
    const unknown = `https://wa.me/settings/linked_devices#2@${randomBytes(24).toString('base64')},${randomBytes(32).toString('base64')},${randomBytes(32).toString('base64')},${randomBytes(32).toString('base64')},1`
    for (const qr of [unknown, 'not a qr code at all']) {
      const res = await api('POST', '/control/accounts/15550007004/scan', { qr })
      expect(res.status).toBe(404)
      expect(res.contentType).toMatch(/^application\/json/)
      expect(res.body).toEqual({ error: expect.any(String) })
    }
    expect((await api('GET', '/control/accounts')).body.find((a: any) => a.phone === '15550007004')).toBeUndefined()
  })

  it('rejects malformed JSON with 400', async () => {
    const res = await call(base, 'POST', '/control/accounts', undefined, '{"phone": "1555')
    expect(res.status).toBe(400)
    expect(res.body).toEqual({ error: 'malformed JSON' })
  })

  it('rejects schema violations with 400 and details', async () => {
    const cases: [string, string, unknown, string][] = [
      ['POST', '/control/accounts', { phone: 'not-a-phone' }, 'phone'],
      ['POST', '/control/accounts', { phone: '123' }, 'phone'],
      ['POST', '/control/accounts', {}, 'phone'],
      ['POST', '/control/accounts', { phone: '15550007005', name: 42 }, 'name'],
      ['POST', '/control/accounts/15550007005/scan', {}, 'qr'],
      ['POST', '/control/accounts/15550007005/link-code', { code: 'short' }, 'code'],
      ['POST', '/control/groups', { creator: '15550007002', subject: 'x' }, 'participants'],
      ['POST', '/control/faults', { action: 'refuse' }, 'ms']
    ]
    for (const [method, path, body, field] of cases) {
      const res = await api(method, path, body)
      expect(res.status, `${method} ${path} ${JSON.stringify(body)}`).toBe(400)
      expect(res.body.error).toBe('invalid request')
      expect(res.body.details).toEqual(expect.arrayContaining([{ path: field, message: expect.any(String) }]))
    }
    const noContent = await api('POST', '/control/accounts/15550007002/messages', { to: '15550007003' })
    expect(noContent.status).toBe(400)
    expect(noContent.body.details.length).toBeGreaterThan(0)
    const badPath = await api('POST', '/control/accounts/not-a-phone/scan', { qr: 'x'.repeat(20) })
    expect(badPath.status).toBe(400)
    expect(badPath.body.details).toEqual(expect.any(Array))
  })

  it('answers unknown routes with 404 JSON', async () => {
    for (const [method, path] of [['GET', '/control/nope'], ['GET', '/elsewhere'], ['DELETE', '/control/accounts'], ['GET', '/control/accounts/15550007002/x/y'], ['PUT', '/control/info']]) {
      const res = await api(method, path)
      expect(res.status, `${method} ${path}`).toBe(404)
      expect(res.body).toEqual({ error: expect.any(String) })
    }
  })

  it('answers messages to or from an unregistered number with 4xx JSON', async () => {
    const toNobody = await api('POST', '/control/accounts/15550007002/messages', { to: '15550007999', text: 'anyone?' })
    expect(toNobody.status).toBeGreaterThanOrEqual(400)
    expect(toNobody.status).toBeLessThan(500)
    expect(toNobody.body).toEqual({ error: expect.stringContaining('15550007999') })
    const fromNobody = await api('POST', '/control/accounts/15550007998/messages', { to: '15550007002', text: 'hi' })
    expect(fromNobody.status).toBe(404)
    expect(fromNobody.body).toEqual({ error: expect.any(String) })
    expect((await api('GET', '/control/accounts/15550007998/messages')).status).toBe(404)
    expect((await api('POST', '/control/accounts/15550007998/unlink')).status).toBe(404)
    const toNoGroup = await api('POST', '/control/accounts/15550007002/messages', { to: '123456@g.us', text: 'hi' })
    expect(toNoGroup.status).toBe(404)
  })

  it('POST /control/faults runs known actions and rejects unknown ones with 400', async () => {
    expect(await api('POST', '/control/faults', { action: 'delay', ms: 0 })).toMatchObject({ status: 200, body: { affected: expect.any(Number) } })
    expect(await api('POST', '/control/faults', { action: 'drop', phone: '15550007998' })).toMatchObject({ status: 200, body: { affected: 0 } })
    const unknown = await api('POST', '/control/faults', { action: 'explode' })
    expect(unknown.status).toBe(400)
    expect(unknown.body).toMatchObject({ error: 'invalid request', details: expect.any(Array) })
    expect((await api('POST', '/control/faults', {})).status).toBe(400)
  })

  describe('robustness', () => {
    it('closes connections that speak garbage, and a linked client keeps working', async () => {
      await api('POST', '/control/accounts', { phone: '15550008001', name: 'Frank' })
      const client = await linkOverHttp('15550008002', 'Grace')
      const url = sim.info().wsUrl
      const intro = Buffer.from(NOISE_WA_HEADER)
      const hello = () => frame(proto.HandshakeMessage.encode({ clientHello: { ephemeral: randomBytes(32) } }).finish())

      await rawClient('a bad intro header', url, ws => ws.send(Buffer.from('GET / HTTP/1.1\r\n\r\n')))
      await rawClient('an `ED` routing intro that does not end in the WA header', url, ws => ws.send(Buffer.concat([Buffer.from([0x45, 0x44, 0, 1, 0, 0, 2, 9, 9]), Buffer.from('XX63')])))
      await rawClient('a valid intro, then a handshake frame that is not a protobuf', url, ws => ws.send(Buffer.concat([intro, frame(Buffer.alloc(40, 0xff))])))
      await rawClient('a valid intro, then a handshake message without a client hello', url, ws => ws.send(Buffer.concat([intro, frame(proto.HandshakeMessage.encode({}).finish())])))
      await rawClient('a valid intro, then a length prefix announcing a 16 MiB handshake frame that never comes', url, ws => ws.send(Buffer.concat([intro, Buffer.from([0xff, 0xff, 0xff]), randomBytes(16)])))
      await rawClient('a text frame', url, ws => ws.send('hello'))
      await rawClient('a text frame after a valid hello', url, async ws => {
        ws.send(Buffer.concat([intro, hello()]))
        await once(ws, 'message')
        ws.send('{"not":"binary"}')
      })
      await rawClient('a valid hello, then a ClientFinish that does not decrypt', url, async ws => {
        ws.send(Buffer.concat([intro, hello()]))
        const [serverHello] = (await once(ws, 'message')) as [Buffer]
        expect(proto.HandshakeMessage.decode(serverHello.subarray(3)).serverHello?.ephemeral).toHaveLength(32)
        ws.send(frame(proto.HandshakeMessage.encode({ clientFinish: { static: randomBytes(48), payload: randomBytes(80) } }).finish()))
      })
      await rawClient('a valid hello, then a ClientFinish with nothing in it', url, async ws => {
        ws.send(Buffer.concat([intro, hello()]))
        await once(ws, 'message')
        ws.send(frame(proto.HandshakeMessage.encode({ clientFinish: {} }).finish()))
      })
      await rawClient('a handshake with an empty client payload', url, async ws => { await handshake(ws, { passive: false }) })
      await rawClient('a transport frame that does not decrypt', url, async ws => {
        await handshake(ws)
        const [pairDevice] = (await once(ws, 'message')) as [Buffer]
        expect(pairDevice.length).toBeGreaterThan(100)
        ws.send(frame(randomBytes(64)))
      })
      await rawClient('an encrypted frame that is no binary node', url, async ws => {
        const noise = await handshake(ws)
        ws.send(noise.encodeFrame(Buffer.from([0, 0xf8, 0xff, 0xff, 0xff, 0xff])))
      })
      await rawClient('an encrypted frame flagged as compressed that does not inflate', url, async ws => {
        const noise = await handshake(ws)
        ws.send(noise.encodeFrame(Buffer.concat([Buffer.from([2]), randomBytes(32)])))
      })

      // the linked client was not disturbed
      expect(client.connection).toBe('open')
      expect(client.closes.map(c => c.statusCode)).toEqual([515])
      const sent = await client.sock!.sendMessage('15550008001@s.whatsapp.net', { text: 'still here' })
      const onPhone = await sim.account('15550008001').phoneDevice.waitForMessage(m => m.id === sent!.key.id)
      expect(onPhone.text).toBe('still here')
      const { id } = await sim.sendText('15550008001', '15550008002', 'and so am I')
      expect(textOf(await client.waitForMessage(m => m.key.id === id))).toBe('and so am I')
      expect((await api('GET', '/control/info')).status).toBe(200)
    })
  })
})

describe('simulator CLI', () => {
  let child: ChildProcess | undefined
  let exited = false

  afterAll(() => {
    // only if the test failed before the CLI exited: end the process group it started in
    if (child?.pid && !exited) {
      try { process.kill(-child.pid, 'SIGKILL') } catch { /* already gone */ }
    }
  })

  it('prints its control info as one JSON line, serves it over HTTP, and exits on SIGTERM', async () => {
    // npx → sh → tsx → node: a process group of its own, so SIGTERM reaches the simulator as it would from a terminal
    const proc = spawn('npx', ['tsx', 'src/sim/cli.ts', '--port', '0'], { cwd: fileURLToPath(new URL('../..', import.meta.url)), detached: true, stdio: ['ignore', 'pipe', 'pipe'] })
    child = proc
    const closed = once(proc, 'close') as Promise<[number | null, NodeJS.Signals | null]>
    let stderr = ''
    proc.stderr!.on('data', (chunk: Buffer) => { stderr += chunk.toString() })
    const firstLine = await new Promise<string>((resolve, reject) => {
      let out = ''
      proc.stdout!.on('data', (chunk: Buffer) => {
        out += chunk.toString()
        const end = out.indexOf('\n')
        if (end >= 0) resolve(out.slice(0, end))
      })
      proc.once('exit', code => reject(new Error(`the CLI exited (${code}) before printing: ${stderr}`)))
    })
    const info = JSON.parse(firstLine)
    expect(info).toEqual({
      wsUrl: expect.stringMatching(/^ws:\/\/127\.0\.0\.1:\d+\/ws\/chat$/),
      mediaUrl: expect.stringMatching(/^https:\/\/127\.0\.0\.1:\d+$/),
      rootPublicKey: expect.stringMatching(/^[0-9a-f]{64}$/),
      caPem: expect.stringContaining('-----BEGIN CERTIFICATE-----')
    })
    const port = new URL(info.wsUrl).port
    const served = await call(`http://127.0.0.1:${port}`, 'GET', '/control/info')
    expect(served).toMatchObject({ status: 200, body: info })

    process.kill(-proc.pid!, 'SIGTERM')
    // 'close' fires once every process holding the output pipes, the simulator included, has exited
    await closed
    exited = true
    await expect(fetch(`http://127.0.0.1:${port}/control/info`)).rejects.toThrow()
    expect(stderr).not.toMatch(/Error|uncaught/i)
  })
})
