/**
 * The desktop app's settings: electron-store (in userData) with the same options and zod validation as headless
 * mode's conf file, behind the same SettingsStore interface the bridge uses.
 */
import Store from 'electron-store'
import { type ConfLike, type Settings, settingsConfOptions, settingsStoreOf, type SettingsStore } from '../settings/index.js'

export function openElectronSettings(): SettingsStore {
  const { configName, ...options } = settingsConfOptions()
  const store = new Store<Settings>({ ...options, name: configName })
  return settingsStoreOf(store as unknown as ConfLike)
}
