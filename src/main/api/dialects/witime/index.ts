/**
 * The Witi.me dialect, seed 001: `/witime/<command>.aspx?wid=<the session's token>`; the `wid` selects the session
 * (instance). Answers keep Witi.me's field names and spellings (`sucesso`, `ReceveidBytes`, `webSocketOpenining`).
 */
import { type ErrorRequestHandler, type Request, Router } from 'express'
import type { z } from 'zod'
import { createOperations } from '../../../operations/index.js'
import { jsonBody, MAX_TOKEN_LENGTH, sessionIdForToken } from '../common/index.js'
import type { DialectDeps } from '../index.js'
import { COMMANDS } from './commands.js'
import { errorBody, toWitimeError, WitimeError } from './errors.js'

const COMMAND_PATH = /^\/([a-z_]+)\.aspx$/

function sessionOfWid(deps: DialectDeps, req: Request): string {
  const wid = req.query.wid
  if (wid === undefined || wid === '') throw new WitimeError(401, 'missing wid')
  if (typeof wid !== 'string' || wid.length > MAX_TOKEN_LENGTH) throw new WitimeError(401, 'invalid wid')
  const sessionId = sessionIdForToken(deps.host, wid)
  if (sessionId === undefined) throw new WitimeError(401, 'invalid wid: no such instance')
  return sessionId
}

const validationMessage = (error: z.ZodError) => error.issues.map(i => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message)).join('; ')

export function createWitimeRouter(deps: DialectDeps): Router {
  const { host } = deps
  const ops = createOperations(host)
  const logger = host.logger.child({ component: 'api', dialect: 'witime' })
  const router = Router({ caseSensitive: true })
  const json = jsonBody(deps.bodyLimit)

  router.use((req, res, next) => {
    const name = COMMAND_PATH.exec(req.path)?.[1]
    res.locals.command = name
    const found = name !== undefined && Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined
    if (!found) throw new WitimeError(404, `unknown command ${req.path}`)
    if (found.method !== 'ANY' && req.method !== found.method) throw new WitimeError(405, `${name}.aspx takes ${found.method}`)
    if (req.method !== 'GET' && req.method !== 'POST') throw new WitimeError(405, `${name}.aspx takes GET or POST`)
    const sessionId = sessionOfWid(deps, req)
    // the body is read only once the wid checked out; a GET carries none
    const read = req.method === 'POST' ? json : (_req: unknown, _res: unknown, done: (err?: unknown) => void) => done()
    read(req, res, err => {
      if (err) return next(err)
      const { wid: _wid, ...query } = req.query as Record<string, unknown>
      const input = { ...query, ...(req.body && typeof req.body === 'object' ? req.body : {}) }
      const parsed = found.schema ? found.schema.safeParse(input) : { success: true as const, data: {} }
      if (!parsed.success) return next(new WitimeError(400, validationMessage(parsed.error)))
      found.run({ host, ops, sessionId }, parsed.data).then(answer => res.json(answer), next)
    })
  })

  const onError: ErrorRequestHandler = (err, req, res, _next) => {
    const { status, message, internal } = toWitimeError(err)
    if (internal) logger.error({ err, path: req.path }, 'request failed')
    if (res.headersSent) {
      res.destroy()
      return
    }
    res.status(status).json(errorBody(res.locals.command as string | undefined, message))
  }
  router.use(onError)
  return router
}
