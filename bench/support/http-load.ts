/**
 * The benchmarks' HTTP client: `count` requests from a worker thread (as a script calling the API is a process of
 * its own, its work is not counted against the host), node:http with keep-alive, `inFlight` at a time. Each
 * request's body is `bodyTemplate` with `{{n}}` replaced by its number. A status other than `expectStatus` fails
 * the run.
 */
import { Worker } from 'node:worker_threads'

export interface HttpLoad {
  url: string
  method: 'GET' | 'POST'
  headers: Record<string, string>
  /** a JSON body; `{{n}}` in it becomes the request's number */
  bodyTemplate?: string
  count: number
  inFlight: number
  expectStatus: number
}

/** Resolves with each request's latency (ms) and the whole run's. */
export function runHttpLoad(load: HttpLoad): Promise<{ latencies: number[]; ms: number }> {
  const worker = new Worker(`
    const { parentPort, workerData: d } = require('node:worker_threads')
    const http = require('node:http')
    const agent = new http.Agent({ keepAlive: true, maxSockets: d.inFlight })
    const one = n => new Promise((resolve, reject) => {
      const body = d.bodyTemplate === undefined ? undefined : d.bodyTemplate.replaceAll('{{n}}', String(n))
      const headers = body === undefined ? d.headers : { ...d.headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }
      const req = http.request(d.url, { method: d.method, agent, headers }, res => {
        const chunks = []
        res.on('data', c => chunks.push(c))
        res.on('end', () => res.statusCode === d.expectStatus ? resolve() : reject(new Error(res.statusCode + ' ' + Buffer.concat(chunks))))
      })
      req.on('error', reject)
      req.end(body)
    })
    ;(async () => {
      const latencies = []
      const t0 = performance.now()
      for (let i = 0; i < d.count; i += d.inFlight) {
        await Promise.all(Array.from({ length: Math.min(d.inFlight, d.count - i) }, async (_, j) => {
          const t = performance.now()
          await one(i + j)
          latencies.push(performance.now() - t)
        }))
      }
      parentPort.postMessage({ latencies, ms: performance.now() - t0 })
    })().catch(err => { throw err })
  `, { eval: true, workerData: load })
  return new Promise((resolve, reject) => {
    worker.once('message', result => { resolve(result as { latencies: number[]; ms: number }); void worker.terminate() })
    worker.once('error', reject)
  })
}
