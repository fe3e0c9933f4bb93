/** One wuzapi endpoint: its method and path, who may call it, the native route it maps to, and its handler. */
import type { Request } from 'express'
import type { Host } from '../../../host.js'
import type { Operations } from '../../../operations/index.js'

export interface WuzapiContext {
  host: Host
  ops: Operations
  /** the session the `Token` selected (empty on admin and public routes) */
  sessionId: string
  body: unknown
  /** query parameters (some GET routes take their fields there instead of in a body) */
  query: Request['query']
  params: Record<string, string>
}

export interface WuzapiRoute {
  method: 'get' | 'post' | 'put' | 'delete'
  path: string
  /** `session`: a session's token in `Token` or `Authorization`; `admin`: the admin token in `Authorization` */
  auth: 'session' | 'admin' | 'public'
  /** the native route doing the same (`S` = `/api/v1/sessions/{session_id}`), for the documentation */
  native: string
  /** the answer's HTTP status (default 200) */
  status?: number
  handler(ctx: WuzapiContext): unknown
}

/** A query parameter's value, its name matched without regard to case. */
export function queryField(query: Request['query'], name: string): string | undefined {
  const lower = name.toLowerCase()
  const key = Object.keys(query).find(k => k.toLowerCase() === lower)
  const value = key === undefined ? undefined : query[key]
  return typeof value === 'string' ? value : undefined
}
