/**
 * The dispatcher's HTTP client: one POST per call over keep-alive agents it owns, with a timeout, and `close()`
 * that aborts whatever is in flight and destroys every socket (the host's stop must leave nothing open).
 */
import { Agent as HttpAgent, type ClientRequest, request as httpRequest } from 'node:http'
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https'

export interface PostResult {
  /** null when no answer came */
  statusCode: number | null
  error: string | null
  latencyMs: number
  /** the receiver's Retry-After, in ms */
  retryAfterMs: number | null
  /** the request was cut short by close(): it does not count as an attempt */
  aborted: boolean
}

/** How much of an answer's body is read (and then dropped): receivers' answers are not used. */
const ANSWER_BYTES_READ = 64 * 1024

function retryAfter(value: string | undefined): number | null {
  if (!value) return null
  const seconds = Number(value)
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000)
  const date = Date.parse(value)
  return Number.isFinite(date) ? Math.max(0, date - Date.now()) : null
}

export class WebhookHttpClient {
  private readonly httpAgent = new HttpAgent({ keepAlive: true, maxSockets: 256 })
  private readonly httpsAgent = new HttpsAgent({ keepAlive: true, maxSockets: 256 })
  private readonly inFlight = new Set<ClientRequest>()
  private closed = false

  get requestsInFlight(): number {
    return this.inFlight.size
  }

  post(url: string, body: Buffer, headers: Record<string, string>, timeoutMs: number): Promise<PostResult> {
    const started = performance.now()
    const done = (r: Omit<PostResult, 'latencyMs' | 'aborted'>): PostResult =>
      ({ ...r, latencyMs: Math.round((performance.now() - started) * 100) / 100, aborted: this.closed })
    if (this.closed) return Promise.resolve(done({ statusCode: null, error: 'stopped', retryAfterMs: null }))
    return new Promise(resolve => {
      let settled = false
      const finish = (r: Omit<PostResult, 'latencyMs' | 'aborted'>) => {
        if (settled) return
        settled = true
        clearTimeout(timer)
        this.inFlight.delete(req)
        resolve(done(r))
      }
      const target = new URL(url)
      const send = target.protocol === 'https:' ? httpsRequest : httpRequest
      const req = send(target, {
        method: 'POST',
        agent: target.protocol === 'https:' ? this.httpsAgent : this.httpAgent,
        headers: { ...headers, 'content-length': String(body.length) }
      }, res => {
        let read = 0
        res.on('data', (chunk: Buffer) => {
          read += chunk.length
          if (read > ANSWER_BYTES_READ) res.destroy()
        })
        const answer = () => finish({
          statusCode: res.statusCode ?? null,
          error: res.statusCode && res.statusCode >= 200 && res.statusCode < 300 ? null : `HTTP ${res.statusCode}`,
          retryAfterMs: retryAfter(res.headers['retry-after'] as string | undefined)
        })
        res.on('end', answer)
        res.on('close', answer)
        res.on('error', answer)
      })
      const timer = setTimeout(() => {
        finish({ statusCode: null, error: `no answer within ${timeoutMs} ms`, retryAfterMs: null })
        req.destroy()
      }, timeoutMs)
      this.inFlight.add(req)
      req.on('error', err => finish({ statusCode: null, error: err.message || (err as NodeJS.ErrnoException).code || 'request failed', retryAfterMs: null }))
      req.end(body)
    })
  }

  /** Aborts every request in flight and closes every socket. */
  close(): void {
    this.closed = true
    for (const req of this.inFlight) req.destroy(new Error('stopped'))
    this.httpAgent.destroy()
    this.httpsAgent.destroy()
  }
}
