/** Listens with an API app; close() also ends idle keep-alive connections, and cuts busy ones after a grace period. */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { RequestListener } from 'node:http'
import { DEFAULT_API_HOST, DEFAULT_API_PORT } from './constants.js'

export interface ApiServerOptions {
  /** default 127.0.0.1 */
  host?: string
  /** default 7780; 0 picks a free port */
  port?: number
  /** how long close() lets requests in progress finish before cutting their connections (default 2000 ms) */
  closeGraceMs?: number
}

export interface ApiServer {
  readonly url: string
  readonly port: number
  readonly server: Server
  close(): Promise<void>
}

export async function startApiServer(app: RequestListener, options: ApiServerOptions = {}): Promise<ApiServer> {
  const host = options.host ?? DEFAULT_API_HOST
  const server = createServer(app)
  // Slow-loris limits: a client gets 30 s to send its headers and 5 minutes for the whole request.
  server.headersTimeout = 30_000
  server.requestTimeout = 300_000
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? DEFAULT_API_PORT, host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  const { port } = server.address() as AddressInfo
  const urlHost = host.includes(':') ? `[${host}]` : host
  let closing: Promise<void> | undefined
  return {
    url: `http://${urlHost}:${port}`,
    port,
    server,
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        const cut = setTimeout(() => server.closeAllConnections(), options.closeGraceMs ?? 2000)
        cut.unref()
        server.close(err => {
          clearTimeout(cut)
          if (err) reject(err)
          else resolve()
        })
        server.closeIdleConnections()
      })
      return closing
    }
  }
}
