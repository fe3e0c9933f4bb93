/**
 * Field names matched without regard to case, as Go's encoding/json does when a gateway written in Go decodes a
 * request: `webhookURL`, `WebhookURL` and `webhookurl` all fill the field `WebhookURL`.
 */

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

/**
 * A copy of `value` whose keys that match one of `names` (ignoring case) carry that name's spelling; other keys are
 * dropped. An exact match wins over a case-insensitive one. Non-objects are returned as they are.
 */
export function canonicalKeys(value: unknown, names: readonly string[]): unknown {
  if (!isPlainObject(value)) return value
  const out: Record<string, unknown> = {}
  for (const name of names) {
    if (Object.hasOwn(value, name)) {
      out[name] = value[name]
      continue
    }
    const lower = name.toLowerCase()
    const key = Object.keys(value).find(k => k.toLowerCase() === lower)
    if (key !== undefined) out[name] = value[key]
  }
  return out
}
