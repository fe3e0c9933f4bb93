/**
 * Request bodies for dialects: read up to a size limit and parsed as JSON whatever the Content-Type says (the
 * products decode their bodies without looking at it), after authentication, so nobody unauthenticated can make
 * the server read a large body. An empty body is `{}`.
 */
import express, { type RequestHandler } from 'express'

export type BodyFailure = 'too_large' | 'malformed' | 'aborted'

export class BodyError extends Error {
  constructor(readonly failure: BodyFailure, message: string) {
    super(message)
    this.name = 'BodyError'
  }
}

/** Leaves the parsed JSON in `req.body`; a failure goes to the error handlers as a BodyError. */
export function jsonBody(limit: string | number): RequestHandler {
  const raw = express.raw({ type: () => true, limit })
  return (req, res, next) => {
    raw(req, res, err => {
      if (err) {
        const type = (err as { type?: string }).type
        if (type === 'entity.too.large') return next(new BodyError('too_large', `the request body is larger than ${String(limit)}`))
        return next(new BodyError(type === 'request.aborted' ? 'aborted' : 'malformed', (err as Error).message))
      }
      const bytes = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0)
      const text = bytes.toString('utf8').trim()
      if (!text) {
        req.body = {}
        return next()
      }
      try {
        req.body = JSON.parse(text)
      } catch {
        return next(new BodyError('malformed', 'the request body is not valid JSON'))
      }
      next()
    })
  }
}
