/**
 * The benchmarks' HTTP client: `count` requests from a worker thread (as a script calling the API is a process of
 * its own, its work is not counted against the host), over `inFlight` keep-alive connections, each sending its next
 * request as soon as it has the answer to its last (a closed loop per connection, as wrk and autocannon run).
 * Each request's body is `bodyTemplate` with `{{n}}` replaced by its number. A status other than `expectStatus`
 * fails the run.
 *
 * It writes HTTP/1.1 on plain sockets and reads answers by their Content-Length, as load generators (wrk,
 * autocannon) do: on a 2-core machine the client shares the cores with the server it measures, and node:http's
 * client costs about three times what the server's side of the same exchange does (~135 µs per request in the
 * worker, against ~40 µs for a bare node:http server), which would be charged to whichever server is measured.
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

/** Runs in the worker: plain JavaScript, as the worker is started from source text. */
const CLIENT = String.raw`
const { parentPort, workerData: d } = require('node:worker_threads')
const net = require('node:net')
const url = new URL(d.url)
const head = d.method + ' ' + url.pathname + url.search + ' HTTP/1.1\r\nHost: ' + url.host + '\r\n' +
  Object.entries(d.headers).map(([k, v]) => k + ': ' + v + '\r\n').join('')

/** One keep-alive connection: request(n) resolves when the answer to request n has been read in full. */
function connection() {
  const socket = net.connect(Number(url.port), url.hostname)
  socket.setNoDelay(true)
  let buffered = Buffer.alloc(0)
  let waiting
  socket.on('data', chunk => {
    buffered = buffered.length ? Buffer.concat([buffered, chunk]) : chunk
    const end = buffered.indexOf('\r\n\r\n')
    if (end < 0 || !waiting) return
    const header = buffered.toString('latin1', 0, end)
    const length = /\r\ncontent-length: *(\d+)/i.exec(header)
    if (!length) return waiting.reject(new Error('answer without Content-Length: ' + header))
    const total = end + 4 + Number(length[1])
    if (buffered.length < total) return
    const status = Number(header.slice(9, 12))
    const body = buffered.subarray(end + 4, total)
    buffered = buffered.subarray(total)
    const done = waiting
    waiting = undefined
    if (status === d.expectStatus) done.resolve()
    else done.reject(new Error(status + ' ' + body))
  })
  socket.on('error', err => waiting?.reject(err))
  socket.on('close', () => waiting?.reject(new Error('connection closed')))
  return {
    request(n) {
      return new Promise((resolve, reject) => {
        waiting = { resolve, reject }
        if (d.bodyTemplate === undefined) return socket.write(head + '\r\n')
        const body = d.bodyTemplate.replaceAll('{{n}}', String(n))
        socket.write(head + 'Content-Type: application/json\r\nContent-Length: ' + Buffer.byteLength(body) + '\r\n\r\n' + body)
      })
    },
    close: () => socket.destroy()
  }
}

;(async () => {
  const connections = Array.from({ length: d.inFlight }, connection)
  const latencies = []
  let next = 0
  const t0 = performance.now()
  await Promise.all(connections.map(async c => {
    while (next < d.count) {
      const n = next++
      const t = performance.now()
      await c.request(n)
      latencies.push(performance.now() - t)
    }
  }))
  const ms = performance.now() - t0
  for (const c of connections) c.close()
  parentPort.postMessage({ latencies, ms })
})().catch(err => { throw err })
`

/** Resolves with each request's latency (ms) and the whole run's. */
export function runHttpLoad(load: HttpLoad): Promise<{ latencies: number[]; ms: number }> {
  const worker = new Worker(CLIENT, { eval: true, workerData: load })
  return new Promise((resolve, reject) => {
    worker.once('message', result => { resolve(result as { latencies: number[]; ms: number }); void worker.terminate() })
    worker.once('error', reject)
  })
}
