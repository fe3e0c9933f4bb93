/**
 * One simulator and one WaDock host per test file, with its sessions linked once, the operations bound to the host,
 * and a session that exists but is not linked. Media samples the suites send.
 */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createOperations, type Operations, type OperationOptions } from '../../../src/main/operations/index.js'
import { startSimulator, type Simulator } from '../../../src/sim/index.js'
import { HostHarness, tempDir } from '../../support/host-harness.js'

export interface Fixture {
  sim: Simulator
  h: HostHarness
  ops: Operations
  /** rows in the messages table, all sessions */
  messageRows(): number
  stop(): Promise<void>
}

/** Starts a simulator and a host, links `sessions` (id → phone, name) and creates the unlinked session `idle`. */
export async function startFixture(sessions: Record<string, { phone: string; name: string }>, options: OperationOptions = {}): Promise<Fixture> {
  const sim = await startSimulator()
  const dir = await tempDir('wadock-ops-')
  const h = await HostHarness.start(sim, dir.path)
  await Promise.all(Object.entries(sessions).map(async ([id, { phone, name }]) => {
    h.host.sessions.create({ id })
    await h.linkByQr(sim, id, phone, name)
  }))
  h.host.sessions.create({ id: 'idle' })
  await h.host.sessions.disconnect('idle')
  return {
    sim,
    h,
    ops: createOperations(h.host, options),
    messageRows: () => (h.host.store.db.prepare('SELECT COUNT(*) AS n FROM messages').get() as { n: number }).n,
    async stop() {
      // Whatever a suite did, no message may be stored twice (say under two forms of its chat's JID).
      const twice = h.host.store.db.prepare('SELECT session_id, message_id, COUNT(*) AS n FROM messages GROUP BY session_id, message_id, from_me HAVING n > 1').all()
      if (twice.length) throw new Error(`messages stored twice: ${JSON.stringify(twice)}`)
      await h.stop()
      await sim.stop()
      await dir.remove()
    }
  }
}

export const pn = (phone: string) => `${phone}@s.whatsapp.net`

/** A local HTTP server for media URLs: `files` by path; `/slow` never answers. */
export async function startFileServer(files: Record<string, { body: Buffer; type?: string }>): Promise<{ url: (path: string) => string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]
    if (path === '/slow') return // left hanging: the client's timeout ends it
    const file = files[path]
    if (!file) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found')
      return
    }
    res.writeHead(200, { 'content-type': file.type ?? 'application/octet-stream', 'content-length': String(file.body.length) }).end(file.body)
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  return {
    url: path => `http://127.0.0.1:${port}${path}`,
    close: () => new Promise(resolve => { server.closeAllConnections(); server.close(() => resolve()) })
  }
}

/** 8×8 JPEG */
export const JPEG = Buffer.from(
  '/9j/2wBDABQODxIPDRQSEBIXFRQYHjIhHhwcHj0sLiQySUBMS0dARkVQWnNiUFVtVkVGZIhlbXd7gYKBTmCNl4x9lnN+gXz/2wBDARUXFx4aHjshITt8U0ZTfHx8fHx8' +
  'fHx8fHx8fHx8fHx8fHx8fHx8fHx8fHx8fHx8fHx8fHx8fHx8fHx8fHx8fHz/wAARCAAIAAgDASIAAhEBAxEB/8QAFQABAQAAAAAAAAAAAAAAAAAAAAL/xAAUEAEAAAAAAAAA' +
  'AAAAAAAAAAAA/8QAFQEBAQAAAAAAAAAAAAAAAAAAAQX/xAAUEQEAAAAAAAAAAAAAAAAAAAAA/9oADAMBAAIRAxEAPwCQAjv/2Q==',
  'base64'
)
/** 1×1 PNG */
export const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64')
/** Recognisable headers; nothing on the way decodes the rest. */
export const MP4 = Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypisom'), Buffer.from([0, 0, 2, 0]), Buffer.from('isomiso2'), Buffer.alloc(2000, 3)])
export const OGG = Buffer.concat([Buffer.from('OggS'), Buffer.alloc(1500, 5)])
export const MP3 = Buffer.concat([Buffer.from('ID3'), Buffer.from([4, 0, 0, 0, 0, 0, 0]), Buffer.alloc(1200, 9)])
export const PDF = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(2048, 1)])
export const WEBP = Buffer.concat([Buffer.from('RIFF'), Buffer.from([0x20, 0, 0, 0]), Buffer.from('WEBPVP8 '), Buffer.alloc(20, 7)])
