/** App settings: the zod schema shared by electron-store and headless conf, and the conf-backed store. */
export {
  DEFAULT_SETTINGS, type RestSettings, type Settings, SettingsError, type SettingsPatch, adminTokenSchema, mergeSettings,
  parseSettings, restSettingsSchema, settingsPatchSchema, settingsSchema
} from './schema.js'
export {
  type ConfLike, SETTINGS_CONFIG_NAME, type SettingsStore, ensureAdminToken, generateAdminToken, openSettingsFile,
  settingsConfOptions, settingsStoreOf
} from './conf-store.js'
