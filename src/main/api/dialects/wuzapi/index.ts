/** The wuzapi dialect's router. */
import { Router } from 'express'
import type { DialectDeps } from '../index.js'

export function createWuzapiRouter(_deps: DialectDeps): Router {
  return Router()
}
