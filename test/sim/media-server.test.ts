import { createHash, randomBytes } from 'node:crypto'
import { unlink } from 'node:fs/promises'
import https from 'node:https'
import tls from 'node:tls'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import pino from 'pino'
import { downloadContentFromMessage, encryptedStream, getWAUploadToServer } from '@whiskeysockets/baileys'
import { startMediaServer, trustingAgents, type MediaServer } from '../../src/sim/media-server.js'

const logger = pino({ level: 'silent' })
/** Baileys' upload token: base64url(SHA-256 of the encrypted file) without padding */
const tokenOf = (bytes: Buffer) => createHash('sha256').update(bytes).digest('base64url')

let server: MediaServer
let small: MediaServer // a second server with a tiny size limit, so the 413 test sends little
let agents: ReturnType<typeof trustingAgents>

beforeAll(async () => {
  server = await startMediaServer({ logger })
  small = await startMediaServer({ logger, maxContentLengthBytes: 1024 })
  agents = trustingAgents(server.caPem)
})

afterAll(async () => {
  agents.httpsAgent.destroy()
  await agents.dispatcher.close()
  await Promise.all([server.close(), small.close()])
})

/** POST like Baileys' uploadWithNodeHttp does, trusting only the server's CA */
function upload(target: MediaServer, path: string, body: Buffer, auth = target.auth) {
  const token = tokenOf(body)
  const url = new URL(`${target.url}${path}/${token}?auth=${encodeURIComponent(auth)}&token=${token}`)
  return new Promise<{ status: number; json: any }>((resolve, reject) => {
    const req = https.request(
      url,
      {
        method: 'POST',
        ca: target.caPem,
        headers: { 'Content-Type': 'application/octet-stream', Origin: 'https://web.whatsapp.com', 'Content-Length': body.length }
      },
      (res) => {
        let text = ''
        res.on('data', (chunk) => (text += chunk))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) }))
      }
    )
    req.on('error', reject)
    req.end(body)
  })
}

const get = (url: string, headers: Record<string, string> = {}) =>
  fetch(url, { headers, dispatcher: agents.dispatcher } as RequestInit)

describe('media server', () => {
  it('accepts a valid upload and serves it back, whole and by range', async () => {
    const body = randomBytes(5000)
    const { status, json } = await upload(server, '/mms/image', body)
    expect(status).toBe(200)
    expect(json.direct_path).toMatch(/^\/v\/t62\.7118-24\/\d+_\d+_n\.enc\?ccb=11-4&oh=.+&oe=[0-9A-F]+/)
    expect(json.url.startsWith(`${server.url}${json.direct_path}`)).toBe(true)

    const full = await get(`${server.url}${json.direct_path}`)
    expect(full.status).toBe(200)
    expect(full.headers.get('content-length')).toBe('5000')
    expect(Buffer.from(await full.arrayBuffer())).toEqual(body)

    const part = await get(json.url, { Range: 'bytes=16-31' })
    expect(part.status).toBe(206)
    expect(part.headers.get('content-range')).toBe('bytes 16-31/5000')
    expect(Buffer.from(await part.arrayBuffer())).toEqual(body.subarray(16, 32))

    const tail = await get(json.url, { Range: 'bytes=4990-' })
    expect(Buffer.from(await tail.arrayBuffer())).toEqual(body.subarray(4990))

    const beyond = await get(json.url, { Range: 'bytes=5000-' })
    expect(beyond.status).toBe(416)
    expect(beyond.headers.get('content-range')).toBe('bytes */5000')
    await beyond.body?.cancel()
  })

  it('accepts md-app-state on the empty path', async () => {
    const { status } = await upload(server, '', randomBytes(100))
    expect(status).toBe(200)
  })

  it('rejects a wrong auth (401), a token not matching the body (400) and an oversized body (413)', async () => {
    expect((await upload(server, '/mms/video', randomBytes(10), 'not-the-auth')).status).toBe(401)

    const body = randomBytes(10)
    const url = `${server.url}/mms/video/${tokenOf(randomBytes(10))}?auth=${encodeURIComponent(server.auth)}`
    const mismatch = await fetch(url, { method: 'POST', body, dispatcher: agents.dispatcher } as RequestInit)
    expect(mismatch.status).toBe(400)
    expect(await mismatch.json()).toHaveProperty('error')

    const tooBig = await upload(small, '/mms/document', randomBytes(small.maxContentLengthBytes + 1))
    expect(tooBig.status).toBe(413)
    expect(small.stats().files).toBe(0)
  })

  it('answers 404 JSON for unknown paths, including HEAD', async () => {
    const res = await get(`${server.url}/v/t62.7118-24/nope.enc?ccb=11-4`)
    expect(res.status).toBe(404)
    expect(await res.json()).toEqual({ error: 'not found' })
    const head = await fetch(`${server.url}/nope`, { method: 'HEAD', dispatcher: agents.dispatcher } as RequestInit)
    expect(head.status).toBe(404)
  })

  it('put/get store bytes without HTTP, and HTTP serves them', async () => {
    const bytes = Buffer.from('a profile picture')
    const stored = server.put(bytes, 'pps')
    expect(server.get(stored.directPath)).toEqual(bytes)
    expect(server.get(stored.url)).toEqual(bytes)
    expect(server.get(stored.directPath.split('?')[0])).toEqual(bytes)
    expect(server.get('/v/unknown')).toBeUndefined()
    const res = await get(stored.url)
    expect(res.headers.get('content-type')).toBe('image/jpeg')
    expect(Buffer.from(await res.arrayBuffer())).toEqual(bytes)
    expect(server.stats().bytes).toBeGreaterThanOrEqual(bytes.length)
  })

  it('is only trusted through its CA', async () => {
    const connect = (ca?: string) =>
      new Promise<string>((resolve) => {
        const socket = tls.connect({ host: '127.0.0.1', port: Number(new URL(server.url).port), ca }, () => {
          socket.destroy()
          resolve('ok')
        })
        socket.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message))
      })
    expect(await connect()).toBe('UNABLE_TO_VERIFY_LEAF_SIGNATURE')
    expect(await connect(server.caPem)).toBe('ok')
  })

  it('survives malformed and aborted requests', async () => {
    const raw = (payload: string) =>
      new Promise<string>((resolve) => {
        const socket = tls.connect({ host: '127.0.0.1', port: Number(new URL(server.url).port), ca: server.caPem }, () => {
          socket.write(payload)
        })
        let text = ''
        socket.on('data', (chunk) => (text += chunk))
        socket.on('close', () => resolve(text))
        socket.on('error', () => {})
        socket.setTimeout(200, () => socket.destroy()) // an aborted upload gets no answer; give up
      })
    expect(await raw('NOT HTTP AT ALL\r\n\r\n')).toMatch(/^HTTP\/1\.1 400/)
    // headers promise 1000 bytes, 10 arrive, then the client hangs up
    await raw(`POST /mms/image/${tokenOf(Buffer.alloc(1000))}?auth=${encodeURIComponent(server.auth)} HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n0123456789`)
    expect((await get(`${server.url}/still-alive`)).status).toBe(404)
  })

  it('works with Baileys: getWAUploadToServer, then downloadContentFromMessage', async () => {
    const original = randomBytes(40_000)
    const enc = await encryptedStream(original, 'image', { logger })
    try {
      const uploadToServer = getWAUploadToServer(
        { customUploadHosts: [], fetchAgent: agents.httpsAgent, logger, options: {} } as unknown as Parameters<typeof getWAUploadToServer>[0],
        async () => ({
          hosts: [{ hostname: server.hostname, maxContentLengthBytes: server.maxContentLengthBytes }],
          auth: server.auth,
          ttl: 3600,
          fetchDate: new Date()
        })
      )
      const { mediaUrl, directPath } = await uploadToServer(enc.encFilePath, {
        mediaType: 'image',
        fileEncSha256B64: enc.fileEncSha256.toString('base64'),
        timeoutMs: 10_000
      })
      const download = async (range: { startByte?: number; endByte?: number } = {}) => {
        const stream = await downloadContentFromMessage({ mediaKey: enc.mediaKey, directPath, url: mediaUrl }, 'image', {
          ...range,
          options: { dispatcher: agents.dispatcher } as RequestInit
        })
        const chunks: Buffer[] = []
        for await (const chunk of stream) chunks.push(chunk as Buffer)
        return Buffer.concat(chunks)
      }
      expect(await download()).toEqual(original)
      // a partial download makes Baileys send a Range header aligned to AES blocks
      expect(await download({ startByte: 1000, endByte: 2000 })).toEqual(original.subarray(1000, 2000))
    } finally {
      await unlink(enc.encFilePath)
    }
  })
})
