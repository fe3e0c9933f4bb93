/**
 * The simulator's media server: a local stand-in for WhatsApp's mmg hosts.
 *
 * Baileys uploads encrypted media with `POST https://<host><MEDIA_PATH_MAP[type]>/<token>?auth=…&token=…`
 * (always https, see getWAUploadToServer) and downloads it with `GET https://<host><directPath>`
 * (downloadContentFromMessage). Everything is kept in memory, like the rest of the simulator.
 *
 * TLS: a private CA is generated at start and signs the server certificate, so clients only need
 * to trust `caPem` (https.Agent/undici Agent in-process, or NODE_EXTRA_CA_CERTS in a child process).
 */
import { createHash, createHmac, randomBytes } from 'node:crypto'
import https from 'node:https'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import type { Logger } from 'pino'
import { generate } from 'selfsigned'
import { Agent as UndiciAgent } from 'undici'

export interface MediaServerOptions {
  /** interface to listen on; default '127.0.0.1' */
  host?: string
  /** default 0 (a free port) */
  port?: number
  /** uploads larger than this get 413; default 100 MiB */
  maxContentLengthBytes?: number
  logger?: Logger
  /** reuse an existing CA (PEM) instead of generating one, e.g. so a restarted server is still trusted */
  ca?: { certPem: string; keyPem: string }
}

export interface StoredMedia {
  directPath: string
  url: string
}

export interface MediaServer {
  /** 'https://127.0.0.1:PORT' */
  readonly url: string
  /** '127.0.0.1:PORT', what the simulator puts in media_conn <host hostname=…> */
  readonly hostname: string
  /** the CA certificate, PEM */
  readonly caPem: string
  /** the CA private key, PEM (only to pass back as `options.ca` when restarting) */
  readonly caKeyPem: string
  /** current media_conn auth token */
  readonly auth: string
  readonly maxContentLengthBytes: number
  /** replaces the auth token (old one gets 401), returns the new one */
  rotateAuth(): string
  /** stores bytes without HTTP (the simulator's virtual phones and profile pictures use this) */
  put(bytes: Buffer, kind?: string): StoredMedia
  /** bytes stored under a direct path or full URL (query string ignored), or undefined */
  get(pathOrUrl: string): Buffer | undefined
  stats(): { files: number; bytes: number }
  /** closes the server and all open sockets; idempotent */
  close(): Promise<void>
}

export const DEFAULT_MAX_CONTENT_LENGTH_BYTES = 100 * 1024 * 1024

/** upload path prefix → media kind (values of Baileys' MEDIA_PATH_MAP; md-app-state posts to `/<token>`) */
const UPLOAD_PREFIXES = new Map<string, string>([
  ['/mms/image', 'image'],
  ['/mms/video', 'video'],
  ['/mms/audio', 'audio'],
  ['/mms/document', 'document'],
  ['/mms/md-app-state', 'md-msg-hist'],
  ['/product/image', 'product'],
  ['/pps/biz-cover-photo', 'biz-cover-photo'],
  ['', 'md-app-state']
])

/** kind → the `/v/<type>/` segment of real WhatsApp direct paths; cosmetic, nothing parses it */
const PATH_TYPES: Record<string, string> = {
  image: 't62.7118-24',
  video: 't62.7161-24',
  audio: 't62.7117-24',
  document: 't62.7119-24',
  sticker: 't62.15575-24',
  'md-msg-hist': 't62.36145-24',
  'md-app-state': 't62.36144-24',
  pps: 't61.24694-24'
}

/** base64url without padding: the form of Baileys' upload token (encodeBase64EncodedStringForUpload) */
const b64url = (buf: Buffer): string => buf.toString('base64url')

/** certificate generation with WebCrypto EC P-256: tens of milliseconds, fine for every test */
async function createTls(ca?: { certPem: string; keyPem: string }) {
  // backdate a little so clock skew between processes never yields "certificate is not yet valid"
  const notBeforeDate = new Date(Date.now() - 24 * 3600_000)
  const notAfterDate = new Date(Date.now() + 825 * 24 * 3600_000)
  if (!ca) {
    const root = await generate([{ name: 'commonName', value: 'wadock simulator CA' }], {
      keyType: 'ec',
      algorithm: 'sha256', // selfsigned defaults to sha1, which OpenSSL's default security level refuses
      notBeforeDate,
      notAfterDate,
      extensions: [
        { name: 'basicConstraints', cA: true, critical: true },
        { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true }
      ]
    })
    ca = { certPem: root.cert, keyPem: root.private }
  }
  const leaf = await generate([{ name: 'commonName', value: 'localhost' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate,
    ca: { cert: ca.certPem, key: ca.keyPem },
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 7, ip: '127.0.0.1' },
          { type: 7, ip: '::1' },
          { type: 2, value: 'localhost' }
        ]
      }
    ]
  })
  return { ca, cert: leaf.cert, key: leaf.private }
}

/** https.Agent and undici Agent that trust the given CA, for in-process clients (Baileys' fetchAgent and download dispatcher) */
export function trustingAgents(caPem: string): { httpsAgent: https.Agent; dispatcher: UndiciAgent } {
  return { httpsAgent: new https.Agent({ ca: caPem }), dispatcher: new UndiciAgent({ connect: { ca: caPem } }) }
}

type ByteRange = { start: number; end: number }

/**
 * A single `bytes=a-b`, `bytes=a-` or `bytes=-n`. Malformed or multi-range headers are ignored
 * (the whole file is served), which RFC 9110 §14.2 allows.
 */
function parseRange(header: string | undefined, size: number): ByteRange | 'unsatisfiable' | undefined {
  if (!header) return undefined
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim())
  if (!m || (m[1] === '' && m[2] === '')) return undefined
  let start: number
  let end = size - 1
  if (m[1] === '') {
    if (Number(m[2]) === 0) return 'unsatisfiable' // "the last 0 bytes"
    start = Math.max(0, size - Number(m[2]))
  } else {
    start = Number(m[1])
    if (m[2] !== '') {
      if (Number(m[2]) < start) return undefined
      end = Math.min(Number(m[2]), size - 1) // Baileys asks past EOF when rounding up to AES blocks
    }
  }
  return start >= size ? 'unsatisfiable' : { start, end }
}

function sendJson(res: ServerResponse, status: number, body: object, headers: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.destroy()
    return
  }
  const data = JSON.stringify(body)
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(data), ...headers })
  res.end(data)
}

/** pathname of a direct path or full URL; throws on garbage */
const pathnameOf = (pathOrUrl: string): string => new URL(pathOrUrl, 'https://media.invalid').pathname

export async function startMediaServer(options: MediaServerOptions = {}): Promise<MediaServer> {
  const host = options.host ?? '127.0.0.1'
  const maxContentLengthBytes = options.maxContentLengthBytes ?? DEFAULT_MAX_CONTENT_LENGTH_BYTES
  const logger = options.logger?.child({ module: 'media-server' })
  const tlsMaterial = await createTls(options.ca)

  let auth = randomBytes(32).toString('base64') // contains + / = like real tokens, so URL encoding is exercised
  const signingKey = randomBytes(32) // for the cosmetic `oh=` parameter
  const files = new Map<string, { bytes: Buffer; contentType: string }>() // pathname → bytes
  const dedupe = new Map<string, StoredMedia>() // `${kind}:${sha256}` → stored media
  let storedBytes = 0
  let baseUrl = ''

  function store(bytes: Buffer, kind: string, sha256: Buffer): StoredMedia {
    const dedupeKey = `${kind}:${b64url(sha256)}`
    const existing = dedupe.get(dedupeKey)
    if (existing) return existing
    // shaped like real direct paths: /v/t62.7118-24/<digits>_<digits>_n.enc?ccb=11-4&oh=…&oe=…&_nc_sid=…
    const isPicture = kind === 'pps'
    const name = `${randomBytes(6).readUIntBE(0, 6)}_${randomBytes(6).readUIntBE(0, 6)}_n.${isPicture ? 'jpg' : 'enc'}`
    const pathname = `/v/${PATH_TYPES[kind] ?? PATH_TYPES.image}/${name}`
    const oe = Math.floor(Date.now() / 1000 + 30 * 24 * 3600).toString(16).toUpperCase()
    const oh = '01_' + b64url(createHmac('sha256', signingKey).update(pathname + oe).digest()).slice(0, 40)
    const directPath = `${pathname}?ccb=11-4&oh=${oh}&oe=${oe}&_nc_sid=5e03e0`
    const stored = { directPath, url: `${baseUrl}${directPath}&mms3=true` }
    files.set(pathname, { bytes, contentType: isPicture ? 'image/jpeg' : 'application/octet-stream' })
    dedupe.set(dedupeKey, stored)
    storedBytes += bytes.length
    return stored
  }

  function handleUpload(req: IncomingMessage, res: ServerResponse, url: URL): void {
    const slash = url.pathname.lastIndexOf('/')
    const kind = UPLOAD_PREFIXES.get(url.pathname.slice(0, slash))
    if (kind === undefined) return sendJson(res, 404, { error: 'unknown upload path' })
    let token: string
    try {
      token = decodeURIComponent(url.pathname.slice(slash + 1))
    } catch {
      return sendJson(res, 400, { error: 'bad token encoding' })
    }
    const queryToken = url.searchParams.get('token')
    if (!token || (queryToken !== null && queryToken !== token)) return sendJson(res, 400, { error: 'bad token' })
    if (url.searchParams.get('auth') !== auth) return sendJson(res, 401, { error: 'bad auth' })

    // answer 413 and drop the connection rather than buffer an oversized body
    const tooLarge = (): void => {
      sendJson(res, 413, { error: `body exceeds ${maxContentLengthBytes} bytes` }, { Connection: 'close' })
      req.resume()
    }
    if (Number(req.headers['content-length'] ?? 0) > maxContentLengthBytes) return tooLarge()

    const chunks: Buffer[] = []
    let length = 0
    let rejected = false
    const hash = createHash('sha256')
    req.on('data', (chunk: Buffer) => {
      if (rejected) return
      length += chunk.length
      if (length > maxContentLengthBytes) {
        rejected = true
        chunks.length = 0
        return tooLarge()
      }
      chunks.push(chunk)
      hash.update(chunk)
    })
    req.on('end', () => {
      if (rejected) return
      const sha256 = hash.digest()
      if (b64url(sha256) !== token) return sendJson(res, 400, { error: 'token does not match the SHA-256 of the body' })
      const stored = store(Buffer.concat(chunks, length), kind, sha256)
      logger?.debug({ kind, bytes: length, directPath: stored.directPath }, 'media uploaded')
      sendJson(res, 200, { url: stored.url, direct_path: stored.directPath })
    })
  }

  function handleDownload(req: IncomingMessage, res: ServerResponse, url: URL): void {
    const file = files.get(url.pathname)
    if (!file) return sendJson(res, 404, { error: 'not found' })
    const size = file.bytes.length
    const range = parseRange(req.headers.range, size)
    if (range === 'unsatisfiable') {
      return sendJson(res, 416, { error: 'range not satisfiable' }, { 'Content-Range': `bytes */${size}` })
    }
    const headers = { 'Content-Type': file.contentType, 'Accept-Ranges': 'bytes' }
    if (!range) {
      res.writeHead(200, { ...headers, 'Content-Length': size })
      res.end(file.bytes) // Node drops the body itself for HEAD
      return
    }
    res.writeHead(206, {
      ...headers,
      'Content-Length': range.end - range.start + 1,
      'Content-Range': `bytes ${range.start}-${range.end}/${size}`
    })
    res.end(file.bytes.subarray(range.start, range.end + 1))
  }

  const server = https.createServer({ key: tlsMaterial.key, cert: tlsMaterial.cert }, (req, res) => {
    // an aborted upload makes req emit 'error'; unhandled it would crash the process
    req.on('error', (err) => logger?.debug({ err }, 'request aborted'))
    res.on('error', (err) => logger?.debug({ err }, 'response failed'))
    try {
      let url: URL
      try {
        url = new URL(req.url ?? '/', 'https://media.invalid')
      } catch {
        return sendJson(res, 400, { error: 'bad url' })
      }
      if (req.method === 'POST') return handleUpload(req, res, url)
      if (req.method === 'GET' || req.method === 'HEAD') return handleDownload(req, res, url)
      sendJson(res, 405, { error: 'method not allowed' }, { Allow: 'GET, HEAD, POST' })
    } catch (err) {
      logger?.error({ err, url: req.url }, 'media request failed')
      sendJson(res, 500, { error: 'internal error' })
    }
  })

  // Requests Node's HTTP parser cannot read never reach the handler above.
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => {
    logger?.debug({ err }, 'malformed request')
    if (err.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy()
      return
    }
    const body = JSON.stringify({ error: 'bad request' })
    socket.end(
      `HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`
    )
  })
  // e.g. a client that does not trust the CA aborts the handshake
  server.on('tlsClientError', (err) => logger?.debug({ err }, 'TLS handshake failed'))
  server.on('error', (err) => logger?.error({ err }, 'media server error'))

  // tracked so close() can end keep-alive and half-open connections instead of waiting for them
  const sockets = new Set<Socket>()
  server.on('connection', (socket: Socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  const { port } = server.address() as AddressInfo
  // a wildcard address cannot be dialled; advertise loopback, which the certificate covers
  const advertised = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host
  const hostname = `${advertised.includes(':') ? `[${advertised}]` : advertised}:${port}`
  baseUrl = `https://${hostname}`
  logger?.debug({ url: baseUrl }, 'media server listening')

  let closing: Promise<void> | undefined
  return {
    url: baseUrl,
    hostname,
    caPem: tlsMaterial.ca.certPem,
    caKeyPem: tlsMaterial.ca.keyPem,
    get auth() {
      return auth
    },
    maxContentLengthBytes,
    rotateAuth() {
      auth = randomBytes(32).toString('base64')
      return auth
    },
    put(bytes, kind = 'image') {
      return store(bytes, kind, createHash('sha256').update(bytes).digest())
    },
    get(pathOrUrl) {
      try {
        return files.get(pathnameOf(pathOrUrl))?.bytes
      } catch {
        return undefined
      }
    },
    stats() {
      return { files: files.size, bytes: storedBytes }
    },
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve())
        for (const socket of sockets) socket.destroy()
      })
      return closing
    }
  }
}
