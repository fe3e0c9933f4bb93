/**
 * The API fixture with linked sessions (id → phone, name), their tokens, an unlinked session `idle`, and helpers
 * for the route families' tests: multipart bodies, the messages table's row count, a server-sent-events reader.
 */
import { request as httpRequest } from 'node:http'
import type { ApiAppOptions } from '../../../src/main/api/app.js'
import type { Simulator } from '../../../src/sim/index.js'
import { type ApiFixture, type Answer, startApiFixture } from './api-fixture.js'

export interface LinkedApi extends ApiFixture {
  tokens: Record<string, string>
  /** rows of the messages table, every session */
  messageRows(): number
}

export async function startLinkedApi(sim: Simulator, sessions: Record<string, { phone: string; name: string }>, appOptions: Partial<ApiAppOptions> = {}): Promise<LinkedApi> {
  const api = await startApiFixture(sim, appOptions)
  const tokens: Record<string, string> = {}
  await Promise.all(Object.entries(sessions).map(async ([id, { phone, name }]) => {
    const created = await api.admin('POST', '/api/v1/sessions', { body: { id } })
    tokens[id] = created.body.token
    await api.harness.linkByQr(sim, id, phone, name)
  }))
  tokens.idle = (await api.admin('POST', '/api/v1/sessions', { body: { id: 'idle' } })).body.token
  await api.admin('POST', '/api/v1/sessions/idle/disconnect')
  return Object.assign(api, {
    tokens,
    messageRows: () => (api.harness.host.store.db.prepare('SELECT COUNT(*) AS n FROM messages').get() as { n: number }).n
  })
}

/** A multipart/form-data body: text fields (repeated for arrays) and one file part. */
export function multipart(fields: Record<string, string | string[]>, file?: { field?: string; name: string; type: string; bytes: Buffer }): { raw: Buffer; headers: Record<string, string> } {
  const boundary = `----wadock${Math.random().toString(16).slice(2)}`
  const parts: Buffer[] = []
  for (const [name, value] of Object.entries(fields)) {
    for (const v of Array.isArray(value) ? value : [value]) {
      parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${v}\r\n`))
    }
  }
  if (file) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${file.field ?? 'file'}"; filename="${file.name}"\r\nContent-Type: ${file.type}\r\n\r\n`))
    parts.push(file.bytes, Buffer.from('\r\n'))
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`))
  return { raw: Buffer.concat(parts), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } }
}

export interface SseEvent { id?: string; event?: string; data?: string }

export interface SseStream {
  status: number
  headers: Record<string, string | string[] | undefined>
  events: SseEvent[]
  comments: string[]
  /** the first event (seen or to come) that matches */
  next(check: (e: SseEvent) => boolean, timeoutMs?: number): Promise<SseEvent>
  /** resolves when a comment matching `pattern` has arrived */
  comment(pattern: RegExp, timeoutMs?: number): Promise<string>
  /** resolves when the server ends the stream */
  ended: Promise<void>
  close(): void
  /** the error body when the server refused (status ≠ 200) */
  body?: Answer['body']
}

/** Opens `GET path` as an event stream and parses it as it arrives. */
export function openSse(port: number, path: string, token?: string): Promise<SseStream> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { host: `127.0.0.1:${port}`, accept: 'text/event-stream' }
    if (token) headers.authorization = `Bearer ${token}`
    const req = httpRequest({ host: '127.0.0.1', port, method: 'GET', path, headers, agent: false }, res => {
      const events: SseEvent[] = []
      const comments: string[] = []
      const wakers = new Set<() => void>()
      let buffer = ''
      const ended = new Promise<void>(done => { res.on('end', () => done()); res.on('close', () => done()) })
      const stream: SseStream = {
        status: res.statusCode ?? 0,
        headers: res.headers,
        events,
        comments,
        next: (check, timeoutMs = 15_000) => waitFor(() => events.find(check), timeoutMs, 'event'),
        comment: (pattern, timeoutMs = 15_000) => waitFor(() => comments.find(c => pattern.test(c)), timeoutMs, 'comment'),
        ended,
        close: () => { req.destroy(); res.destroy() }
      }
      function waitFor<T>(find: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
        const hit = find()
        if (hit !== undefined) return Promise.resolve(hit)
        return new Promise((ok, fail) => {
          const wake = () => { const found = find(); if (found !== undefined) { clearTimeout(timer); wakers.delete(wake); ok(found) } }
          const timer = setTimeout(() => { wakers.delete(wake); fail(new Error(`no matching ${what} in time`)) }, timeoutMs)
          wakers.add(wake)
        })
      }
      res.setEncoding('utf8')
      if (res.statusCode !== 200) {
        let text = ''
        res.on('data', (chunk: string) => { text += chunk })
        res.on('end', () => resolve({ ...stream, body: JSON.parse(text) }))
        return
      }
      res.on('data', (chunk: string) => {
        buffer += chunk
        let end: number
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end)
          buffer = buffer.slice(end + 2)
          const event: SseEvent = {}
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) comments.push(line.slice(1).trim())
            else {
              const colon = line.indexOf(':')
              const field = line.slice(0, colon) as keyof SseEvent
              event[field] = (event[field] ? `${event[field]}\n` : '') + line.slice(colon + 1).replace(/^ /, '')
            }
          }
          if (Object.keys(event).length) events.push(event)
        }
        for (const wake of [...wakers]) wake()
      })
      res.on('error', () => undefined)
      resolve(stream)
    })
    req.on('error', reject)
    req.end()
  })
}
