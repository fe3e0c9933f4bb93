/** The settings schema lives in src/shared (the renderer's settings page uses it too); re-exported for main. */
export * from '../../shared/settings.js'
