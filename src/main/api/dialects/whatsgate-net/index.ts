/** The whatsgate-net dialect's router. */
import { Router } from 'express'
import type { DialectDeps } from '../index.js'

export function createWhatsgateNetRouter(_deps: DialectDeps): Router {
  return Router()
}
