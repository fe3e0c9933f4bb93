/**
 * The desktop app's main process: one instance (a second launch focuses the window), settings from electron-store,
 * the host started before the window, the bridge on IPC, the tray, and an ordered stop on quit (tray and IPC gone,
 * the REST API closed, sessions closed with their credentials flushed, the database closed).
 */
import { join } from 'node:path'
import { app, BrowserWindow, dialog, ipcMain } from 'electron'
import pino, { type Logger } from 'pino'
import { type Bridge, createBridgeHandlers } from './bridge/index.js'
import { openElectronSettings } from './electron/settings.js'
import { installSecurity, registerAppScheme, serveAppScheme } from './electron/security.js'
import { APP_START_URL, isAppUrl } from './electron/security-rules.js'
import { type BridgeIpc, registerBridgeIpc } from './electron/ipc.js'
import { type AppTray, createAppTray } from './electron/tray.js'
import type { TrayAction } from './electron/tray-model.js'
import { createMainWindow, showWindow } from './electron/window.js'
import { createHost, type Host, type HostApiOptions } from './host.js'
import { ensureAdminToken, type Settings, SettingsError, type SettingsStore } from './settings/index.js'

const here = import.meta.dirname
const devServerUrl = !app.isPackaged ? process.env.ELECTRON_RENDERER_URL : undefined

let host: Host | undefined
let bridge: Bridge | undefined
let ipc: BridgeIpc | undefined
let tray: AppTray | undefined
let window: BrowserWindow | undefined
let quitting = false
let stopped = false

function openLogger(): Logger {
  const file = join(app.getPath('logs'), 'wadock.log')
  return pino({ level: process.env.WADOCK_LOG ?? 'info' }, pino.destination({ dest: file, mkdir: true, sync: false }))
}

function apiOptions(settings: SettingsStore, rest: Settings['rest']): HostApiOptions {
  return { enabled: rest.enabled, host: rest.host, port: rest.port, adminToken: () => settings.get().adminToken ?? '' }
}

async function start(logger: Logger): Promise<void> {
  const settings = openElectronSettings()
  ensureAdminToken(settings)
  const initial = settings.get()
  if (app.getLoginItemSettings().openAtLogin !== initial.startAtLogin) app.setLoginItemSettings({ openAtLogin: initial.startAtLogin })

  // The host first: sessions reconnect while the window loads.
  host = await createHost({ dataDir: initial.dataDir ?? app.getPath('userData'), logger, target: initial.sandbox ? { kind: 'sandbox' } : { kind: 'whatsapp' } })
  const running = host
  const startApi = async (rest: Settings['rest']) => {
    try {
      await running.setApi(apiOptions(settings, rest))
    } catch (err) {
      // a taken port must not keep the app from starting; the tray shows the API off
      logger.error({ err }, 'the REST API could not start')
      throw err
    }
  }
  bridge = createBridgeHandlers(running, {
    settings, shell: 'electron', version: app.getVersion(), logger: logger.child({ component: 'bridge' }),
    applySettings: async (next, previous) => {
      if (next.startAtLogin !== previous.startAtLogin) app.setLoginItemSettings({ openAtLogin: next.startAtLogin })
      if (JSON.stringify(next.rest) !== JSON.stringify(previous.rest)) await startApi(next.rest)
      tray?.refresh()
    }
  })
  await running.start()
  await startApi(initial.rest).catch(() => undefined)

  installSecurity({ devServerUrl, logger })
  serveAppScheme(join(here, '../renderer'))
  ipc = registerBridgeIpc({
    ipcMain, bridge, logger,
    contents: () => (window && !window.isDestroyed() ? window.webContents : undefined),
    isAppUrl: url => isAppUrl(url, devServerUrl)
  })
  const open = (sessionId?: string) => {
    if (!window || window.isDestroyed()) {
      window = createMainWindow({
        preloadPath: join(here, '../preload/index.cjs'),
        startUrl: devServerUrl ?? APP_START_URL,
        iconPath: join(app.getAppPath(), 'resources', 'icon.png'),
        closeToTray: () => settings.get().closeToTray,
        isQuitting: () => quitting
      })
      ipc!.attach(window.webContents)
    }
    showWindow(window)
    // the page shows a session when its fragment names one (`#session=<id>`); ids are [A-Za-z0-9_-] only
    if (sessionId && /^[A-Za-z0-9_-]+$/.test(sessionId)) {
      void window.webContents.executeJavaScript(`location.hash = ${JSON.stringify(`session=${sessionId}`)}`).catch(() => undefined)
    }
  }
  const onTrayAction = (action: TrayAction) => {
    switch (action.type) {
      case 'open':
        return open()
      case 'openSession':
        return open(action.sessionId)
      case 'setApi': {
        const { rest } = settings.get()
        // on in the settings but not listening (its port was taken): try again
        if (action.enabled && rest.enabled) return void startApi(rest).then(() => tray?.refresh(), () => undefined)
        return void bridge!.call('updateSettings', [{ rest: { enabled: action.enabled } }])
      }
      case 'quit':
        return app.quit()
    }
  }
  tray = createAppTray({
    iconDir: join(app.getAppPath(), 'resources'),
    input: () => {
      const { rest } = settings.get()
      // what is, not what was asked for: an API whose port was taken shows as off
      const url = running.apiUrl ?? null
      return { sessions: running.sessions.list(), api: { enabled: rest.enabled && url !== null, host: rest.host, port: rest.port, url } }
    },
    subscribe: changed => bridge!.feed.connect(event => {
      if (event.type === 'status' || event.type === 'session_removed' || event.type === 'settings') changed()
    }, { ready: true }).close,
    onAction: onTrayAction,
    onClick: () => open()
  })
  app.on('second-instance', () => open())
  app.on('activate', () => open())
  open()
}

/** Tray and IPC first (nothing new comes in), then the host in its own order, then the event feed. */
async function shutdown(logger: Logger): Promise<void> {
  tray?.destroy()
  ipc?.dispose()
  try {
    await host?.stop()
  } catch (err) {
    logger.error({ err }, 'stop failed')
  }
  bridge?.close()
  logger.info('stopped')
  logger.flush()
}

function main(): void {
  registerAppScheme()
  if (!app.requestSingleInstanceLock()) {
    app.quit()
    return
  }
  const logger = openLogger()
  app.on('before-quit', event => {
    if (stopped) return
    event.preventDefault()
    if (quitting) return
    quitting = true
    void shutdown(logger).finally(() => {
      stopped = true
      app.quit()
    })
  })
  // with close-to-tray the window only hides; without it, closing it ends the app
  app.on('window-all-closed', () => app.quit())
  process.on('unhandledRejection', reason => logger.error({ err: reason }, 'unhandled rejection'))
  app.whenReady().then(() => start(logger)).catch(err => {
    logger.fatal({ err }, 'startup failed')
    const message = err instanceof SettingsError ? `${err.message}\n\nFix or delete the settings file, then start WaDock again.` : String(err instanceof Error ? err.message : err)
    dialog.showErrorBox('WaDock could not start', message)
    stopped = true
    app.exit(1)
  })
}

main()
