/**
 * Settings on disk through conf (electron-store's base: electron-store 11 extends conf 15 and takes the same options,
 * so the desktop app passes `settingsConfOptions()` to electron-store and wraps it with `settingsStoreOf` too).
 * Every read goes through the zod schema; a file that fails it raises a SettingsError naming the file and the
 * fields, so a broken file stops WaDock with a clear message instead of being silently replaced with defaults
 * (which would also replace the admin token every script uses).
 */
import { randomBytes } from 'node:crypto'
import Conf, { type Options } from 'conf'
import {
  DEFAULT_SETTINGS, type Settings, SettingsError, type SettingsPatch, adminTokenSchema, mergeSettings, parseSettings
} from './schema.js'

/** The file's name without extension: `<folder>/settings.json`. */
export const SETTINGS_CONFIG_NAME = 'settings'

/** conf / electron-store options that validate every read with the zod schema (instead of conf's JSON schema). */
export function settingsConfOptions(): Partial<Options<Settings>> {
  return {
    configName: SETTINGS_CONFIG_NAME,
    defaults: { ...DEFAULT_SETTINGS, rest: { ...DEFAULT_SETTINGS.rest } },
    // the file holds the admin token
    configFileMode: 0o600,
    clearInvalidConfig: false,
    deserialize: (text: string) => {
      let json: unknown
      try {
        json = JSON.parse(text)
      } catch (err) {
        throw new SettingsError(`not valid JSON (${err instanceof Error ? err.message : String(err)})`)
      }
      return parseSettings(json, 'settings')
    }
  }
}

/** Typed, validated access to settings kept by conf or electron-store. */
export interface SettingsStore {
  /** the settings file */
  readonly path: string
  /** The current settings, read from the file and validated (defaults filled in). */
  get(): Settings
  /** Applies a validated change, writes it (atomically), and returns the new settings. */
  update(patch: SettingsPatch): Settings
}

/** What SettingsStore needs of a conf or electron-store instance. */
export interface ConfLike {
  readonly path: string
  store: Record<string, unknown>
}

export function settingsStoreOf(conf: ConfLike): SettingsStore {
  const read = (): Settings => {
    try {
      return parseSettings(conf.store, conf.path)
    } catch (err) {
      throw inFile(err, conf.path)
    }
  }
  return {
    path: conf.path,
    get: read,
    update(patch) {
      const next = mergeSettings(read(), patch)
      conf.store = next as Record<string, unknown>
      return next
    }
  }
}

/**
 * Opens (creating with defaults if missing) `<folder>/settings.json`: the headless runner keeps its settings in
 * the data folder. Throws SettingsError when the file exists but is unreadable or invalid.
 */
export function openSettingsFile(folder: string): SettingsStore {
  let conf: Conf<Settings>
  try {
    conf = new Conf<Settings>({ ...settingsConfOptions(), cwd: folder })
  } catch (err) {
    throw inFile(err, `${folder}/${SETTINGS_CONFIG_NAME}.json`)
  }
  return settingsStoreOf(conf as unknown as ConfLike)
}

function inFile(err: unknown, path: string): Error {
  if (err instanceof SettingsError) {
    return err.issues.length ? new SettingsError(`invalid settings file ${path}`, err.issues) : new SettingsError(`invalid settings file ${path}: ${err.message}`)
  }
  if (err instanceof Error && 'code' in err) return new SettingsError(`cannot read settings file ${path}: ${err.message}`)
  return err instanceof Error ? err : new Error(String(err))
}

/** A new admin token: 32 random bytes, base64url (43 characters). */
export function generateAdminToken(): string {
  return randomBytes(32).toString('base64url')
}

/**
 * The admin token to use: `override` (validated, then saved) if given, else the stored one, else a new one that
 * is saved at once. `generated` tells the caller to show the token this one time.
 */
export function ensureAdminToken(settings: SettingsStore, override?: string): { token: string; generated: boolean } {
  if (override !== undefined) {
    const parsed = adminTokenSchema.safeParse(override)
    if (!parsed.success) throw new SettingsError('invalid admin token', [{ path: 'adminToken', message: parsed.error.issues[0]?.message ?? 'invalid' }])
    if (settings.get().adminToken !== override) settings.update({ adminToken: override })
    return { token: override, generated: false }
  }
  const stored = settings.get().adminToken
  if (stored) return { token: stored, generated: false }
  const token = generateAdminToken()
  settings.update({ adminToken: token })
  return { token, generated: true }
}
