/** Errors as data: what crosses the bridge instead of a thrown error (which IPC would reduce to its message). */
import { z } from 'zod'
import type { BridgeErrorData } from '../../shared/bridge.js'
import { SettingsError } from '../../shared/settings.js'
import { ConflictError, NotFoundError, OperationError, ValidationError } from '../errors.js'

/** Refused because WaDock is not in sandbox mode, or a session is in the wrong state for the sandbox action. */
export class SandboxError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'SandboxError'
  }
}

const CODES: [new (...args: any[]) => Error, string][] = [
  [ValidationError, 'validation_failed'],
  [SettingsError, 'validation_failed'],
  [NotFoundError, 'not_found'],
  [ConflictError, 'conflict'],
  [OperationError, 'operation_failed'],
  [SandboxError, 'sandbox_only']
]

/** A readable one-line account of zod issues: `path: message; …`. */
export function describeIssues(error: z.ZodError): string {
  return error.issues.map(i => `${i.path.length ? i.path.join('.') : 'arguments'}: ${i.message}`).join('; ')
}

export function toBridgeError(err: unknown): BridgeErrorData {
  if (err instanceof z.ZodError) return { name: 'ValidationError', message: `invalid arguments: ${describeIssues(err)}`, code: 'validation_failed' }
  if (err instanceof Error) {
    const code = CODES.find(([type]) => err instanceof type)?.[1] ?? 'internal'
    return { name: err.name || 'Error', message: err.message || String(err), code }
  }
  return { name: 'Error', message: String(err), code: 'internal' }
}
