/** A session's webhook deliveries: the delivery log, the dead-letter list, and replay of dead letters. */
import { z } from 'zod'
import { NotFoundError } from '../../errors.js'
import { nativeWebhookEventSchema } from '../../webhooks/formats/native.js'
import { DEFAULT_DELIVERIES_LIMIT, eventOf } from '../../webhooks/service.js'
import { DELIVERY_LOG_KEPT } from '../../store/index.js'
import { component } from '../components.js'
import type { ApiRegistry } from '../registry.js'
import { sessionPathSchema } from './schemas.js'

const SESSION = '/api/v1/sessions/{session_id}'
const tags = ['webhooks']

const seconds = (ms: number) => Math.floor(ms / 1000)

const deliverySchema = component(z.object({
  event_id: z.string().describe('the event\'s id (the same on every attempt)'),
  event_type: z.string(),
  attempt: z.number().int().positive().describe('1 for the first attempt'),
  status_code: z.number().int().nullable().describe('the receiver\'s HTTP status; null when no answer came'),
  ok: z.boolean(),
  latency_ms: z.number().nonnegative().describe('from sending the request to its answer or failure'),
  error: z.string().nullable(),
  outcome: z.enum(['delivered', 'retrying', 'dead']).describe('`retrying`: another attempt follows; `dead`: in the dead-letter list'),
  at: z.number().int().describe('unix seconds')
}), { id: 'WebhookDelivery' })

const deliveriesSchema = component(z.object({
  deliveries: z.array(deliverySchema).describe('newest first'),
  pending: z.number().int().nonnegative().describe('events waiting for delivery')
}), { id: 'WebhookDeliveries' })

const deadLetterSchema = component(z.object({
  event_id: z.string(),
  event_type: z.string(),
  attempts: z.number().int().nonnegative(),
  last_error: z.string().nullable(),
  last_status_code: z.number().int().nullable(),
  created_at: z.number().int().describe('unix seconds'),
  died_at: z.number().int().describe('unix seconds'),
  event: nativeWebhookEventSchema
}), { id: 'WebhookDeadLetter' })

const deadLettersSchema = component(z.object({ dead_letters: z.array(deadLetterSchema).describe('oldest first'), total: z.number().int() }), { id: 'WebhookDeadLetters' })

const replayRequestSchema = component(z.strictObject({
  event_id: z.string().min(1).max(100).optional().describe('replay only this dead letter (default: all of the session\'s)')
}), { id: 'WebhookReplayRequest', examples: [{}, { event_id: '0b6f4a4e-8f0c-4c43-9a53-2f1f1d5c8a10' }] })

const replayResultSchema = component(z.object({ replayed: z.number().int().nonnegative().describe('how many events were queued again') }), { id: 'WebhookReplayResult' })

export function registerWebhookRoutes(registry: ApiRegistry): void {
  registry.add({
    method: 'get', path: `${SESSION}/webhook/deliveries`, operationId: 'listWebhookDeliveries', tags, access: 'session',
    summary: 'The webhook delivery log',
    description: `Every delivery attempt (status code, latency, outcome), newest first. The last ${DELIVERY_LOG_KEPT} attempts of each session are kept.`,
    params: sessionPathSchema,
    query: z.object({ limit: z.coerce.number().int().min(1).max(DELIVERY_LOG_KEPT).optional().describe(`at most this many (default ${DEFAULT_DELIVERIES_LIMIT})`) }),
    response: { description: 'The delivery log.', schema: deliveriesSchema },
    handler: ({ host, params, query }) => ({
      deliveries: host.webhooks.deliveries(params.session_id, query.limit).map(d => ({
        event_id: d.eventId, event_type: d.eventType, attempt: d.attempt, status_code: d.statusCode, ok: d.ok, latency_ms: d.latencyMs,
        error: d.error, outcome: d.outcome, at: seconds(d.at)
      })),
      pending: host.store.webhooks.countPending(params.session_id)
    })
  })

  registry.add({
    method: 'get', path: `${SESSION}/webhook/dead-letters`, operationId: 'listWebhookDeadLetters', tags, access: 'session',
    summary: 'Events that could not be delivered',
    description: 'Events whose every attempt failed (or that the receiver refused with a 4xx other than 408 and 429), kept until replayed.',
    params: sessionPathSchema,
    response: { description: 'The dead letters.', schema: deadLettersSchema },
    handler: ({ host, params }) => {
      const letters = host.webhooks.deadLetters(params.session_id)
      return {
        dead_letters: letters.map(l => ({
          event_id: l.eventId, event_type: l.eventType, attempts: l.attempts, last_error: l.lastError, last_status_code: l.lastStatusCode,
          created_at: seconds(l.createdAt), died_at: seconds(l.diedAt), event: eventOf(l)
        })),
        total: letters.length
      }
    }
  })

  registry.add({
    method: 'post', path: `${SESSION}/webhook/dead-letters/replay`, operationId: 'replayWebhookDeadLetters', tags, access: 'session',
    summary: 'Deliver dead letters again',
    description: 'Queues one dead letter (`event_id`) or all of them again, in their original order, with a fresh set of attempts. '
      + 'An `event_id` that is not in the list is a 404.',
    params: sessionPathSchema,
    body: replayRequestSchema,
    response: { description: 'How many were queued.', schema: replayResultSchema },
    handler: ({ host, params, body }) => {
      const replayed = host.webhooks.replay(params.session_id, body.event_id)
      if (body.event_id !== undefined && replayed === 0) throw new NotFoundError(`no dead letter ${body.event_id}`)
      return { replayed }
    }
  })
}
