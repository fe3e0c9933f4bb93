/**
 * `GET /api/v1/events`: the host's events as server-sent events, live (no replay). Each is `id: <n>`, `event: <type>`,
 * `data: <json>` with snake_case fields; a comment line every 15 s keeps proxies and clients from timing out. The
 * admin token sees every session's events (or those asked for with `?session=`), a session token only its own.
 * The subscription ends when the client goes away.
 */
import { z } from 'zod'
import { SESSION_ID_PATTERN, type HostEvent } from '../../../shared/domain.js'
import { ApiError } from '../errors.js'
import { component } from '../components.js'
import type { ApiRegistry } from '../registry.js'
import { STATUS_NAMES } from './messages.js'

export const HOST_EVENT_TYPES = ['status', 'qr', 'pair_code', 'message', 'message_ack', 'session_removed', 'webhook_delivery'] as const satisfies readonly HostEvent['type'][]

/** Tunables (tests shorten the heartbeat). */
export const eventStreamSettings = { heartbeatMs: 15_000 }

/** `a,b` and `?x=a&x=b` alike: one list. */
const list = (item: z.ZodType<string, string>, description: string) => z.union([z.string(), z.array(z.string())])
  .transform(v => (Array.isArray(v) ? v : [v]).flatMap(s => s.split(',')).map(s => s.trim()).filter(Boolean))
  .pipe(z.array(item))
  .optional()
  .describe(description)

const eventsQuerySchema = z.object({
  session: list(z.string().regex(SESSION_ID_PATTERN, 'a session id'), 'only these sessions\' events (repeat the parameter or separate ids with commas); a session token may name only its own session'),
  type: list(z.enum(HOST_EVENT_TYPES), `only these types (repeatable or comma-separated): ${HOST_EVENT_TYPES.join(', ')}`)
})

const eventStreamSchema = component(z.string().describe(
  'A text/event-stream: per event `id: <n>`, `event: <type>` and `data: <json>` (the event with snake_case fields: type, session_id, at '
  + '(unix ms) and the type\'s own, e.g. for `message`: chat, id, from_me, message_type, text, sender, timestamp; for `message_ack`: chat, id, '
  + 'status (error, pending, server_ack, delivery_ack, read, played, as in GET …/messages) and error); `:` comment lines are heartbeats.'
), { id: 'EventStream', examples: ['id: 1\nevent: message\ndata: {"type":"message","session_id":"my-session","chat":"628123456789@s.whatsapp.net","id":"3EB0…","from_me":false,"message_type":"conversation","text":"hi","sender":"628123456789@s.whatsapp.net","timestamp":1767143203,"at":1767143203512}\n\n'] })

const snake = (key: string) => key.replace(/[A-Z]/g, c => `_${c.toLowerCase()}`)
/** snake_case keys all the way down (a `webhook_delivery` event carries its delivery as an object) */
const snakeKeys = (value: unknown): unknown => value !== null && typeof value === 'object' && !Array.isArray(value)
  ? Object.fromEntries(Object.entries(value).map(([k, v]) => [snake(k), snakeKeys(v)]))
  : value
/** The event as the stream sends it: snake_case, and a `message_ack`'s status by name, as GET …/messages shows it. */
const toApiEvent = (event: HostEvent) => snakeKeys(event.type === 'message_ack' ? { ...event, status: STATUS_NAMES[event.status] ?? 'pending' } : event) as Record<string, unknown>

export function registerEventRoutes(registry: ApiRegistry): void {
  registry.add({
    method: 'get', path: '/api/v1/events', operationId: 'streamEvents', tags: ['events'], access: 'any',
    summary: 'Stream events (server-sent events)',
    description: 'Live events of the sessions as server-sent events: status changes, QR codes, pairing codes, messages, message acks, '
      + 'removed sessions. Filter with `session` and `type`. A session token receives only its own session\'s events, and asking '
      + 'for another session is a 403. Nothing is replayed: read missed messages with GET …/messages?after=. The stream ends when its token '
      + 'stops being valid (rotated, or its session deleted).',
    query: eventsQuerySchema,
    response: { description: 'The stream; it stays open.', schema: eventStreamSchema, contentType: 'text/event-stream' },
    handler: ({ host, principal, query, req, res, stillAuthorized }) => {
      let sessions = query.session?.length ? new Set(query.session) : undefined
      if (principal?.kind === 'session') {
        if (sessions && [...sessions].some(s => s !== principal.sessionId)) throw new ApiError('forbidden', 'a session token reaches only its own session')
        sessions = new Set([principal.sessionId])
      } else {
        for (const id of sessions ?? []) host.sessions.record(id)
      }
      const types = query.type?.length ? new Set<string>(query.type) : undefined

      res.statusCode = 200
      res.setHeader('Content-Type', 'text/event-stream; charset=utf-8')
      res.setHeader('Connection', 'keep-alive')
      res.setHeader('X-Accel-Buffering', 'no')
      res.flushHeaders()
      req.socket.setNoDelay(true)
      req.socket.setTimeout(0)
      res.write(': connected\n\n')

      let seq = 0
      const unsubscribe = host.events.subscribe(event => {
        if (!('sessionId' in event) || (sessions && !sessions.has(event.sessionId)) || (types && !types.has(event.type))) return
        // a token rotated (or a session deleted) since the stream opened ends it, before anything more is sent
        if (!stillAuthorized()) {
          unsubscribe()
          res.end()
          return
        }
        res.write(`id: ${++seq}\nevent: ${event.type}\ndata: ${JSON.stringify(toApiEvent(event))}\n\n`)
      })
      const heartbeat = setInterval(() => res.write(': heartbeat\n\n'), eventStreamSettings.heartbeatMs)
      heartbeat.unref()
      res.on('close', () => {
        clearInterval(heartbeat)
        unsubscribe()
      })
      return ''
    }
  })
}
