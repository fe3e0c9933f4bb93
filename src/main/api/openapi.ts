/**
 * The OpenAPI 3.1 document, generated from the route registry and the same zod schemas that validate requests
 * (zod 4's `z.toJSONSchema`, JSON Schema 2020-12, which is OpenAPI 3.1's schema dialect).
 *
 * Named schemas come out twice from zod, as they are accepted (`io: 'input'`) and as they are answered
 * (`io: 'output'`: defaults filled in, no unknown keys). Responses use the output form under the plain name;
 * request bodies use the input form, under the plain name too when it is the same or no response uses the
 * schema, and as `<id>Input` otherwise. Only schemas some route reaches are listed.
 */
import { z } from 'zod'
import type { RouteAccess } from './auth.js'
import { namedComponents, type SchemaMeta } from './components.js'
import { errorResponseSchema } from './errors.js'
import type { RegisteredRoute } from './registry.js'

export interface OpenApiInfo {
  title: string
  version: string
  description?: string
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json }
type JsonObject = { [key: string]: Json }

export interface OpenApiDocument {
  openapi: '3.1.0'
  info: OpenApiInfo
  servers: { url: string; description?: string }[]
  tags: { name: string }[]
  security: { bearerAuth: string[] }[]
  paths: Record<string, Record<string, JsonObject>>
  components: {
    securitySchemes: Record<string, JsonObject>
    responses: Record<string, JsonObject>
    schemas: Record<string, JsonObject>
  }
}

/** Every error status a route can answer with, and the reusable response that documents it. */
const ERROR_RESPONSES: Record<number, { name: string; description: string }> = {
  400: { name: 'BadRequest', description: 'Malformed JSON (`invalid_json`) or input that breaks the schema (`validation_failed`, with the fields in `details`).' },
  401: { name: 'Unauthorized', description: 'No bearer token, or one that is neither the admin token nor a session token.' },
  403: { name: 'Forbidden', description: 'A session token used on another session or on an admin-only route; or a request whose Host or Origin is not local.' },
  404: { name: 'NotFound', description: 'No such session.' },
  409: { name: 'Conflict', description: 'The session is in the wrong state for this (not linked, already linked) or already exists.' },
  413: { name: 'PayloadTooLarge', description: 'The body (JSON, or a multipart upload where a route takes one) is larger than the server\'s limit.' },
  415: { name: 'UnsupportedMediaType', description: 'The body is not JSON (nor multipart/form-data, where a route takes an upload).' },
  422: { name: 'OperationFailed', description: 'WhatsApp refused, or the operation could not be carried out.' },
  500: { name: 'InternalError', description: 'An unexpected failure; the server logged it.' }
}

const ACCESS_NOTE: Record<RouteAccess, string> = {
  public: 'No token needed.',
  admin: 'Admin token only.',
  session: 'Admin token, or the token of this session.',
  any: 'Admin token, or any session\'s token (which reaches only its own session).'
}

const schemaRef = (id: string) => `#/components/schemas/${id}`
/** a placeholder for input-form references until their final names are known */
const INPUT_MARK = '$$input$$'

function errorStatusesOf(route: RegisteredRoute): number[] {
  const statuses = new Set<number>([403, 500, ...(route.errors ?? [])])
  const hasParams = Object.keys(route.params?.shape ?? {}).length > 0 || Object.keys(route.query?.shape ?? {}).length > 0
  if (hasParams || route.body) statuses.add(400)
  if (route.body) { statuses.add(413); statuses.add(415) }
  if (route.access !== 'public') statuses.add(401)
  if (route.path.includes('{session_id}')) statuses.add(404)
  return [...statuses].sort((a, b) => a - b)
}

/** `schema` as a standalone JSON Schema, without `$schema`. */
function inlineSchema(schema: z.ZodType): JsonObject {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io: 'input', target: 'draft-2020-12' }) as JsonObject
  return rest
}

function mapRefs(value: Json, rename: (ref: string) => string): Json {
  if (Array.isArray(value)) return value.map(v => mapRefs(v, rename))
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, k === '$ref' && typeof v === 'string' ? rename(v) : mapRefs(v, rename)]))
  }
  return value
}

function refsOf(value: Json, found = new Set<string>()): Set<string> {
  mapRefs(value, ref => { found.add(ref); return ref })
  return found
}

/** The ids reachable from `roots` through `$ref`s in `schemas` (whose refs are `#/components/schemas/<id><suffix>`). */
function reachable(roots: Iterable<string>, schemas: Record<string, JsonObject>, suffix: string): Set<string> {
  const seen = new Set<string>()
  const visit = (id: string) => {
    if (seen.has(id)) return
    if (!schemas[id]) throw new Error(`no schema named ${id}`)
    seen.add(id)
    for (const ref of refsOf(schemas[id])) visit(ref.slice(schemaRef('').length, ref.length - suffix.length))
  }
  for (const id of roots) visit(id)
  return seen
}

const stable = (value: Json): string => JSON.stringify(value, (_k, v: Json) =>
  v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b))) : v)

function componentSchemas(names: ReadonlyMap<z.ZodType, SchemaMeta>, io: 'input' | 'output'): Record<string, JsonObject> {
  const registry = z.registry<SchemaMeta>()
  const metaById = new Map<string, SchemaMeta>()
  for (const [schema, meta] of names) {
    registry.add(schema, meta)
    metaById.set(meta.id, meta)
  }
  const suffix = io === 'input' ? INPUT_MARK : ''
  const { schemas } = z.toJSONSchema(registry, { io, target: 'draft-2020-12', uri: id => schemaRef(id + suffix) })
  return Object.fromEntries(Object.entries(schemas).map(([id, schema]) => {
    const { $schema: _s, $id: _i, ...rest } = schema as JsonObject
    const meta = metaById.get(id)
    return [id, { ...rest, ...(meta?.description ? { description: meta.description } : {}), ...(meta?.examples ? { examples: meta.examples as Json[] } : {}) }]
  }))
}

/**
 * @param autoNames ids for route bodies and responses not named with component() (the registry gives them)
 */
export function buildOpenApiDocument(routes: readonly RegisteredRoute[], info: OpenApiInfo, autoNames: ReadonlyMap<z.ZodType, string> = new Map()): OpenApiDocument {
  const names = new Map(namedComponents())
  for (const [schema, id] of autoNames) names.set(schema, { id })
  const idOf = (schema: z.ZodType) => {
    const id = names.get(schema)?.id
    if (!id) throw new Error('route schemas are named when the route is added')
    return id
  }
  const output = componentSchemas(names, 'output')
  const input = componentSchemas(names, 'input')
  const errorId = idOf(errorResponseSchema)
  const usedOut = reachable([errorId, ...routes.map(r => idOf(r.response.schema))], output, '')
  const usedIn = reachable(routes.flatMap(r => (r.body ? [idOf(r.body)] : [])), input, INPUT_MARK)

  // An input form shares the output form's name when both are the same, references included (a fixpoint: one
  // difference deep down makes every schema above it differ).
  const unmark = (ref: string) => ref.endsWith(INPUT_MARK) ? ref.slice(0, -INPUT_MARK.length) : ref
  const same = new Map([...usedIn].map(id => [id, usedOut.has(id) && stable(mapRefs(input[id], unmark)) === stable(output[id])]))
  for (let changed = true; changed;) {
    changed = false
    for (const id of usedIn) {
      if (same.get(id) && [...refsOf(input[id])].some(ref => !same.get(unmark(ref).slice(schemaRef('').length)))) {
        same.set(id, false)
        changed = true
      }
    }
  }
  const inputName = (id: string) => (usedOut.has(id) && !same.get(id) ? `${id}Input` : id)
  const renameInput = (ref: string) => ref.endsWith(INPUT_MARK) ? schemaRef(inputName(unmark(ref).slice(schemaRef('').length))) : ref

  const schemas: Record<string, JsonObject> = {}
  for (const id of usedOut) schemas[id] = output[id]
  for (const id of usedIn) {
    const name = inputName(id)
    if (name === id && usedOut.has(id)) continue
    if (schemas[name]) throw new Error(`schema name ${name} is taken`)
    schemas[name] = mapRefs(input[id], renameInput) as JsonObject
  }

  const paths: OpenApiDocument['paths'] = {}
  for (const route of routes) {
    const parameters: JsonObject[] = [
      ...Object.entries(route.params?.shape ?? {}).map(([name, schema]) => ({ name, in: 'path', required: true, schema: inlineSchema(schema as z.ZodType) })),
      ...Object.entries(route.query?.shape ?? {}).map(([name, schema]) => ({ name, in: 'query', required: !(schema as z.ZodType).isOptional(), schema: inlineSchema(schema as z.ZodType) }))
    ]
    const responses: JsonObject = {
      [String(route.response.status ?? 200)]: {
        description: route.response.description,
        content: { [route.response.contentType ?? 'application/json']: { schema: { $ref: schemaRef(idOf(route.response.schema)) } } }
      }
    }
    for (const status of errorStatusesOf(route)) responses[String(status)] = { $ref: `#/components/responses/${ERROR_RESPONSES[status].name}` }
    const operation: JsonObject = {
      operationId: route.operationId,
      summary: route.summary,
      description: [route.description, ACCESS_NOTE[route.access]].filter(Boolean).join('\n\n'),
      tags: route.tags,
      security: route.access === 'public' ? [] : [{ bearerAuth: [] }],
      'x-wadock-access': route.access,
      ...(parameters.length ? { parameters } : {}),
      ...(route.body ? {
        requestBody: {
          // a body that may be empty ({} passes) is optional
          required: !route.body.safeParse({}).success,
          content: {
            'application/json': { schema: { $ref: schemaRef(inputName(idOf(route.body))) } },
            ...(route.upload ? {
              'multipart/form-data': {
                schema: {
                  type: 'object',
                  description: `The same fields as the JSON body, as form fields, with the file as the \`file\` part instead of \`${route.upload.field}\`.`,
                  properties: { file: { type: 'string', contentMediaType: 'application/octet-stream', description: route.upload.description } },
                  additionalProperties: true
                }
              }
            } : {})
          }
        }
      } : {}),
      responses
    }
    paths[route.path] = { ...paths[route.path], [route.method]: operation }
  }

  return {
    openapi: '3.1.0',
    info,
    servers: [{ url: '/', description: 'this WaDock' }],
    tags: [...new Set(routes.flatMap(r => r.tags))].map(name => ({ name })),
    security: [{ bearerAuth: [] }],
    paths,
    components: {
      securitySchemes: {
        bearerAuth: {
          type: 'http',
          scheme: 'bearer',
          description: 'The admin token (every route) or a session\'s token (only that session\'s routes).'
        }
      },
      responses: Object.fromEntries(Object.values(ERROR_RESPONSES).map(({ name, description }) => [name, {
        description,
        content: { 'application/json': { schema: { $ref: schemaRef(errorId) } } }
      }])),
      schemas
    }
  }
}
