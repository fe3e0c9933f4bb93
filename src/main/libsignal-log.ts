/**
 * libsignal (the Signal implementation under Baileys) reports session changes with console.info/warn/error and
 * hands the whole session along: "Opening session:" followed by its ephemeral private key, root key and chain keys.
 * Printed to stdout, that key material ends up in service logs (journald, docker logs) and mixes plain text into the
 * headless runner's JSON lines. While a host runs, those calls go to its logger instead, at debug level, as their
 * text only; any other console output is left alone.
 */
import type { Logger } from 'pino'

/** How libsignal's messages begin (libsignal 6: session_record, session_builder, session_cipher, curve, queue_job). */
const LIBSIGNAL_MESSAGES = [
  'Opening session:', 'Closing session:', 'Removing old closed session:', 'Session already closed', 'Session already open',
  'Closing open session in favor of incoming prekey bundle', 'Decrypted message with closed session.',
  'Failed to decrypt message with any known session', 'Session error:', 'Migrating session to:',
  'V1 session storage migration error', 'WARNING: Expected pubkey of length 33', 'Unhandled bucket type'
]
const METHODS = ['info', 'warn', 'error', 'log'] as const
type Method = (typeof METHODS)[number]
type ConsoleFn = (...args: unknown[]) => void

/** Whether a console call is one of libsignal's. */
function isLibsignalMessage(args: unknown[]): boolean {
  const first = args[0]
  return typeof first === 'string' && LIBSIGNAL_MESSAGES.some(prefix => first.startsWith(prefix))
}

let routing: { previous: Record<Method, ConsoleFn>; wrappers: Record<Method, ConsoleFn>; loggers: Logger[] } | undefined

/**
 * Sends libsignal's console output to `logger` (the first of the hosts routing it, when several run in one process)
 * until the returned function is called; the last one to stop puts the console back as it found it.
 */
export function routeLibsignalConsole(logger: Logger): () => void {
  if (!routing) {
    const previous = Object.fromEntries(METHODS.map(m => [m, console[m]])) as Record<Method, ConsoleFn>
    const wrappers = Object.fromEntries(METHODS.map(m => [m, (...args: unknown[]) => {
      const target = routing?.loggers[0]
      // the text only: the objects that follow it are the session records
      if (target && isLibsignalMessage(args)) target.debug({ component: 'libsignal' }, String(args[0]).trim())
      else previous[m].apply(console, args)
    }])) as Record<Method, ConsoleFn>
    routing = { previous, wrappers, loggers: [] }
    for (const m of METHODS) console[m] = wrappers[m]
  }
  const current = routing
  current.loggers.push(logger)
  let stopped = false
  return () => {
    if (stopped) return
    stopped = true
    current.loggers.splice(current.loggers.indexOf(logger), 1)
    if (current.loggers.length || routing !== current) return
    // put back only what is still ours: whatever replaced the console since keeps its place
    for (const m of METHODS) if (console[m] === current.wrappers[m]) console[m] = current.previous[m]
    routing = undefined
  }
}
