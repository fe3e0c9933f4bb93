/**
 * libsignal's console output (whole Signal sessions, private keys included) goes to the host's logger as text only
 * while a host runs: the routing itself, then a real sandbox host with libsignal's own code printing, the console
 * watched.
 */
import { createRequire } from 'node:module'
import { Writable } from 'node:stream'
import pino from 'pino'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { routeLibsignalConsole } from '../../../src/main/libsignal-log.js'
import { createHost } from '../../../src/main/host.js'
import { tempDir } from '../../support/host-harness.js'

/** A debug-level logger whose lines are kept. */
function memoryLogger(): { logger: pino.Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = []
  const stream = new Writable({ write(chunk, _enc, done) { lines.push(JSON.parse(String(chunk))); done() } })
  return { logger: pino({ level: 'debug' }, stream), lines }
}

const original = { info: console.info, warn: console.warn, error: console.error, log: console.log }
afterEach(() => Object.assign(console, original))

describe('libsignal console routing', () => {
  it("sends libsignal's messages to the logger without their objects, and leaves other output alone", async () => {
    const spy = vi.fn()
    console.info = spy
    const { logger, lines } = memoryLogger()
    const unroute = routeLibsignalConsole(logger)
    console.info('Opening session:', { currentRatchet: { ephemeralKeyPair: { privKey: Buffer.from('secret') } } })
    console.info('something else', 1)
    await new Promise(resolve => setImmediate(resolve))
    expect(spy.mock.calls).toEqual([['something else', 1]])
    expect(lines).toEqual([expect.objectContaining({ level: 20, component: 'libsignal', msg: 'Opening session:' })])
    expect(JSON.stringify(lines)).not.toMatch(/privKey|secret/)
    unroute()
    expect(console.info).toBe(spy)
  })

  it('stays while any host routes it; the last to stop puts the console back', () => {
    const spy = vi.fn()
    console.warn = spy
    const first = routeLibsignalConsole(memoryLogger().logger)
    const second = routeLibsignalConsole(memoryLogger().logger)
    first()
    first()
    console.warn('Session already closed', {})
    expect(spy).not.toHaveBeenCalled()
    second()
    expect(console.warn).toBe(spy)
  })

  it("while a host runs, libsignal's own prints (a closed session, its keys) reach its logger and not the console", async () => {
    const printed: unknown[][] = []
    for (const method of ['info', 'warn', 'error', 'log'] as const) console[method] = (...args: unknown[]) => { printed.push(args) }
    const { SessionRecord } = createRequire(import.meta.url)('libsignal') as { SessionRecord: new () => { closeSession(session: object): void } }
    const session = { indexInfo: { closed: -1 }, currentRatchet: { rootKey: Buffer.from('secret root key') } }
    const dir = await tempDir('wadock-libsignal-')
    const { logger, lines } = memoryLogger()
    const host = await createHost({ dataDir: dir.path, logger, target: { kind: 'sandbox' } })
    try {
      await host.start()
      new SessionRecord().closeSession(session)
    } finally {
      await host.stop()
      await dir.remove()
    }
    expect(printed).toEqual([])
    expect(lines.filter(l => l.component === 'libsignal').map(l => l.msg)).toEqual(['Closing session:'])
    expect(JSON.stringify(lines)).not.toContain('secret')
    // the host stopped: the console is the console again
    new SessionRecord().closeSession(session)
    expect(printed).toEqual([['Session already closed', session]])
  })
})
