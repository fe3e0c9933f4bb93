/**
 * The WhatsGate (whatsgate.org) dialect, seed 000: `POST /whatsgate/api/v1/<command>` with `X-Api-Key` (the admin
 * token, or a session's own token, which reaches only that session) and a JSON body; answers
 * `{"result": "OK", "data": …}`, errors HTTP 500 `{name, message, code}`. The QR window is `/whatsgate/qr/<unique_id>`.
 */
import { type ErrorRequestHandler, type RequestHandler, Router } from 'express'
import type { z } from 'zod'
import { createOperations } from '../../../operations/index.js'
import { isAdminToken, jsonBody, MAX_TOKEN_LENGTH, sessionIdForToken } from '../common/index.js'
import type { DialectDeps } from '../index.js'
import { COMMANDS, type Principal } from './commands.js'
import { toWhatsgateError, WhatsgateError } from './errors.js'
import { qrPageRouter } from './qr-page.js'

function authenticate(deps: DialectDeps, key: string | undefined): Principal {
  if (!key) throw new WhatsgateError('AuthError', 'missing X-Api-Key header')
  if (key.length > MAX_TOKEN_LENGTH) throw new WhatsgateError('AuthError', 'invalid API key')
  if (isAdminToken(key, deps.adminToken())) return { kind: 'admin' }
  const sessionId = sessionIdForToken(deps.host, key)
  if (sessionId !== undefined) return { kind: 'session', sessionId }
  throw new WhatsgateError('AuthError', 'invalid API key')
}

function validationMessage(error: z.ZodError): string {
  return error.issues.map(i => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message)).join('; ')
}

export function createWhatsgateRouter(deps: DialectDeps): Router {
  const { host } = deps
  const ops = createOperations(host)
  const logger = host.logger.child({ component: 'api', dialect: 'whatsgate' })
  const router = Router({ caseSensitive: true })

  router.use('/qr', qrPageRouter(host))

  const auth: RequestHandler = (req, res, next) => {
    res.locals.principal = authenticate(deps, req.get('x-api-key'))
    next()
  }
  // Bodies are read only after the key checked out; any content type is taken as JSON, as WhatsGate's clients vary.
  const json = jsonBody(deps.bodyLimit)

  router.post('/api/v1/:command', auth, json, async (req, res) => {
    const name = req.params.command as string
    const found = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined
    if (!found) throw new WhatsgateError('NotFoundError', `unknown command ${name}`)
    const principal = res.locals.principal as Principal
    if (found.adminOnly && principal.kind !== 'admin') throw new WhatsgateError('AccessError', `${name} needs the admin key`)
    const parsed = found.schema.safeParse(req.body ?? {})
    if (!parsed.success) throw new WhatsgateError('ValidationError', validationMessage(parsed.error))
    const data = await found.run({ host, ops, principal, origin: `${req.protocol}://${req.get('host')}` }, parsed.data)
    res.json({ result: 'OK', data })
  })

  router.use((req, _res) => {
    throw new WhatsgateError('NotFoundError', `no route ${req.method} ${req.path}`)
  })
  const onError: ErrorRequestHandler = (err, req, res, _next) => {
    const { body, internal } = toWhatsgateError(err)
    if (internal) logger.error({ err, path: req.path }, 'request failed')
    if (res.headersSent) {
      res.destroy()
      return
    }
    res.status(500).json(body)
  }
  router.use(onError)
  return router
}
