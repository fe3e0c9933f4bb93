/** The whatsgate dialect's router. */
import { Router } from 'express'
import type { DialectDeps } from '../index.js'

export function createWhatsgateRouter(_deps: DialectDeps): Router {
  return Router()
}
