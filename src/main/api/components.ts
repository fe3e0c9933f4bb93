/**
 * The API's named schemas: each becomes `#/components/schemas/<id>` in the OpenAPI document and is referenced
 * from every place that uses it. Named once, at module level, next to the schema itself.
 */
import type { z } from 'zod'

export interface SchemaMeta {
  id: string
  description?: string
  examples?: unknown[]
}

const named = new Map<z.ZodType, SchemaMeta>()
const ids = new Set<string>()

/** Names `schema` in the OpenAPI document; naming the same schema again with the same id is a no-op. */
export function component<T extends z.ZodType>(schema: T, meta: SchemaMeta): T {
  const existing = named.get(schema)
  if (existing) {
    if (existing.id !== meta.id) throw new Error(`schema already named ${existing.id}, not ${meta.id}`)
    return schema
  }
  if (ids.has(meta.id)) throw new Error(`two schemas named ${meta.id}`)
  named.set(schema, meta)
  ids.add(meta.id)
  return schema
}

export const componentOf = (schema: z.ZodType): SchemaMeta | undefined => named.get(schema)
export const isComponentId = (id: string): boolean => ids.has(id)
/** Every named schema, in naming order. */
export const namedComponents = (): ReadonlyMap<z.ZodType, SchemaMeta> => named
