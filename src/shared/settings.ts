/**
 * WaDock's app settings: one zod schema, with its defaults, for every place settings are kept. The desktop app
 * keeps them with electron-store (in `userData`), the headless runner with conf (in the `--data` folder); both read
 * and write through `settingsConfOptions()` (conf-store.ts), so the same file validates the same way in either.
 * Pure zod, in src/shared: the renderer's settings page uses the types and the patch schema.
 */
import { z } from 'zod'

/**
 * An admin or session token as it travels in headers and query strings: URL-safe characters only (base64url plus
 * '.' and '~'), 16 to 256 of them.
 */
export const adminTokenSchema = z.string().regex(/^[A-Za-z0-9._~-]{16,256}$/, '16 to 256 characters: letters, digits, ".", "_", "~" and "-"')

export const restSettingsSchema = z.object({
  /** whether the localhost REST API is served */
  enabled: z.boolean().default(true),
  /** the address it binds to: loopback by default (the server refuses non-local Host/Origin headers either way) */
  host: z.string().min(1).max(255).default('127.0.0.1'),
  port: z.number().int().min(1).max(65_535).default(7780)
})

export const settingsSchema = z.object({
  rest: restSettingsSchema.prefault({}),
  /** the app-wide token accepted by every API route; null until the first run generates one */
  adminToken: adminTokenSchema.nullable().default(null),
  /**
   * Electron only: a data folder other than `userData` for the database and media. Headless mode ignores it: its
   * settings live in the data folder, which `--data` names.
   */
  dataDir: z.string().min(1).optional(),
  /** run against the built-in WhatsApp simulator instead of WhatsApp */
  sandbox: z.boolean().default(false),
  startAtLogin: z.boolean().default(false),
  /** closing the window keeps WaDock running in the tray */
  closeToTray: z.boolean().default(true)
})

export type Settings = z.infer<typeof settingsSchema>
export type RestSettings = z.infer<typeof restSettingsSchema>

/** What a settings page or API may change: any subset, `rest` field by field. */
export const settingsPatchSchema = z.object({
  rest: restSettingsSchema.partial().optional(),
  adminToken: adminTokenSchema.nullable().optional(),
  dataDir: z.string().min(1).nullable().optional(),
  sandbox: z.boolean().optional(),
  startAtLogin: z.boolean().optional(),
  closeToTray: z.boolean().optional()
}).strict()
export type SettingsPatch = z.infer<typeof settingsPatchSchema>

export const DEFAULT_SETTINGS: Readonly<Settings> = Object.freeze(settingsSchema.parse({}))

/** Settings that failed validation: where they came from and what is wrong, in one readable message. */
export class SettingsError extends Error {
  constructor(message: string, readonly issues: { path: string; message: string }[] = []) {
    super(issues.length ? `${message}: ${issues.map(i => `${i.path || '(root)'}: ${i.message}`).join('; ')}` : message)
    this.name = 'SettingsError'
  }
}

const issuesOf = (error: z.ZodError) => error.issues.map(i => ({ path: i.path.join('.'), message: i.message }))

/** Validates stored settings and fills in defaults; throws SettingsError naming `source` (a file path) on bad input. */
export function parseSettings(value: unknown, source = 'settings'): Settings {
  const parsed = settingsSchema.safeParse(value)
  if (!parsed.success) throw new SettingsError(`invalid ${source}`, issuesOf(parsed.error))
  return parsed.data
}

/** The settings after applying `patch` (validated); `dataDir: null` removes the data folder override. */
export function mergeSettings(current: Settings, patch: SettingsPatch): Settings {
  const parsed = settingsPatchSchema.safeParse(patch)
  if (!parsed.success) throw new SettingsError('invalid settings change', issuesOf(parsed.error))
  const { rest, dataDir, ...rest0 } = parsed.data
  const next: Record<string, unknown> = { ...current, ...dropUndefined(rest0), rest: { ...current.rest, ...dropUndefined(rest ?? {}) } }
  if (dataDir === null) delete next.dataDir
  else if (dataDir !== undefined) next.dataDir = dataDir
  return parseSettings(next, 'settings change')
}

function dropUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>
}
