/**
 * The benchmarks' HTTP client: runs loads of `count` requests from a worker thread (as a script calling the API is a
 * process of its own, its work is not counted against the host), over `inFlight` keep-alive connections, each sending
 * its next request as soon as it has the answer to its last (a closed loop per connection, as wrk and autocannon
 * run). Each request's body is `bodyTemplate` with `{{n}}` replaced by its number. A status other than
 * `expectStatus` fails the run.
 *
 * It writes HTTP/1.1 on plain sockets and reads answers by their Content-Length, as load generators do: on a 2-core
 * machine the client shares the cores with the server it measures, and node:http's client costs about three times
 * what the server's side of the same exchange does (~135 µs per request in the worker, against ~40 µs for a bare
 * node:http server), which would be charged to whichever server is measured. The worker is started once and kept
 * for every load (startHttpClient), and so are its connections (while the server keeps them): a thread's start-up
 * (tens of milliseconds of CPU) and a round's connects are not the server's throughput.
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

export interface LoadResult {
  /** each request's latency, ms */
  latencies: number[]
  /** the whole load's, from its first request to its last answer */
  ms: number
}

/** Runs in the worker: plain JavaScript, as the worker is started from source text. */
const CLIENT = String.raw`
const { parentPort } = require('node:worker_threads')
const net = require('node:net')

/** A server closes idle keep-alive connections (node:http after 5 s): one idle longer than this is replaced. */
const IDLE_MS = 3000
/** Open connections by host, kept from one load to the next (a round's untimed warm-up opens its timed load's). */
const pools = new Map()

/** One keep-alive connection: request(text) resolves with the status once the answer has been read in full. */
function connection(url) {
  const socket = net.connect(Number(url.port), url.hostname)
  socket.setNoDelay(true)
  let buffered = Buffer.alloc(0)
  let waiting
  let alive = true
  let lastUsed = Date.now()
  const ready = new Promise((resolve, reject) => { socket.once('connect', resolve); socket.once('error', reject) })
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
    done.resolve({ status, body })
  })
  socket.on('error', err => { alive = false; waiting?.reject(err) })
  socket.on('close', () => { alive = false; waiting?.reject(new Error('connection closed')) })
  return {
    ready,
    usable: () => alive && Date.now() - lastUsed < IDLE_MS,
    request: text => new Promise((resolve, reject) => {
      waiting = { resolve: answer => { lastUsed = Date.now(); resolve(answer) }, reject }
      socket.write(text)
    }),
    close: () => socket.destroy()
  }
}

async function run(d) {
  const url = new URL(d.url)
  const head = d.method + ' ' + url.pathname + url.search + ' HTTP/1.1\r\nHost: ' + url.host + '\r\n' +
    Object.entries(d.headers).map(([k, v]) => k + ': ' + v + '\r\n').join('')
  const requestText = n => {
    if (d.bodyTemplate === undefined) return head + '\r\n'
    const body = d.bodyTemplate.replaceAll('{{n}}', String(n))
    return head + 'Content-Type: application/json\r\nContent-Length: ' + Buffer.byteLength(body) + '\r\n\r\n' + body
  }
  const kept = (pools.get(url.host) ?? []).filter(c => c.usable() || (c.close(), false))
  while (kept.length < d.inFlight) kept.push(connection(url))
  pools.set(url.host, kept)
  const connections = kept.slice(0, d.inFlight)
  try {
    await Promise.all(connections.map(c => c.ready))
    const latencies = []
    let next = 0
    const t0 = performance.now()
    await Promise.all(connections.map(async c => {
      while (next < d.count) {
        const n = next++
        const t = performance.now()
        const { status, body } = await c.request(requestText(n))
        if (status !== d.expectStatus) throw new Error(status + ' ' + body)
        latencies.push(performance.now() - t)
      }
    }))
    return { latencies, ms: performance.now() - t0 }
  } catch (err) {
    // answers may still be on their way: none of these connections is reused
    for (const c of kept) c.close()
    pools.delete(url.host)
    throw err
  }
}

parentPort.on('message', load => {
  run(load).then(
    result => parentPort.postMessage({ result }),
    err => parentPort.postMessage({ error: String((err && err.stack) || err) })
  )
})
`

export interface HttpClient {
  /** Runs one load; rejects if a request fails or answers another status than expected. */
  run(load: HttpLoad): Promise<LoadResult>
  close(): Promise<void>
}

/** Starts the client's worker thread; resolves once it is up. */
export async function startHttpClient(): Promise<HttpClient> {
  const worker = new Worker(CLIENT, { eval: true })
  await new Promise<void>((resolve, reject) => {
    worker.once('online', resolve)
    worker.once('error', reject)
  })
  let failed: Error | undefined
  worker.on('error', err => { failed = err })
  return {
    run(load) {
      if (failed) return Promise.reject(failed)
      return new Promise((resolve, reject) => {
        worker.once('message', (message: { result?: LoadResult; error?: string }) => {
          if (message.result) resolve(message.result)
          else reject(new Error(message.error))
        })
        worker.postMessage(load)
      })
    },
    async close() {
      await worker.terminate()
    }
  }
}
