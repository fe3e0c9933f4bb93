/**
 * The REST dialects: other gateways' APIs, each answered in its own language under its own prefix, so a script
 * written for one of them switches to WaDock by changing its base URL (`http://127.0.0.1:7780/wuzapi`, …).
 *
 * A dialect is a thin translation: it authenticates the way its product does, parses its product's request, calls
 * the same host operations as the native API and answers in its product's envelope, field names, status values and
 * error shape (errors included: a dialect's router handles its own 404s and failures). No dialect holds state.
 * Dialect routers are mounted before the native API's Bearer authentication and body parsing, which they replace.
 */
import type { Router } from 'express'
import type { Host } from '../../host.js'
import { createWhatsgateNetRouter } from './whatsgate-net/index.js'
import { createWhatsgateRouter } from './whatsgate/index.js'
import { createWitimeRouter } from './witime/index.js'
import { createWuzapiRouter } from './wuzapi/index.js'

export interface DialectDeps {
  host: Host
  /** the current admin token (read per request; a rotated token applies at once) */
  adminToken: () => string
  /** the largest request body, in bytes or as "25mb" */
  bodyLimit: string | number
}

export interface Dialect {
  /** the path prefix (the product's base URL becomes `http://<api>/<prefix>`) */
  prefix: string
  /** the product this dialect speaks */
  product: string
  router(deps: DialectDeps): Router
}

export const DIALECTS: readonly Dialect[] = [
  { prefix: '/wuzapi', product: 'wuzapi', router: createWuzapiRouter },
  { prefix: '/whatsgate', product: 'WhatsGate (whatsgate.org)', router: createWhatsgateRouter },
  { prefix: '/witime', product: 'Witi.me', router: createWitimeRouter },
  { prefix: '/whatsgate-net', product: 'WhatsGate.net', router: createWhatsgateNetRouter }
]
