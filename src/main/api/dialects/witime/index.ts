/** The witime dialect's router. */
import { Router } from 'express'
import type { DialectDeps } from '../index.js'

export function createWitimeRouter(_deps: DialectDeps): Router {
  return Router()
}
