/** The one app window: isolated, sandboxed, no Node; hidden rather than closed when close-to-tray is on. */
import { BrowserWindow } from 'electron'

export interface MainWindowOptions {
  /** out/preload/index.cjs */
  preloadPath: string
  startUrl: string
  iconPath: string
  /** read at every close: the setting may change while the app runs */
  closeToTray: () => boolean
  /** true once Quit was chosen: then the window really closes */
  isQuitting: () => boolean
}

export function createMainWindow(options: MainWindowOptions): BrowserWindow {
  const window = new BrowserWindow({
    width: 1200,
    height: 800,
    minWidth: 760,
    minHeight: 520,
    show: false,
    title: 'WaDock',
    icon: options.iconPath,
    autoHideMenuBar: true,
    webPreferences: {
      preload: options.preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
      safeDialogs: true
    }
  })
  window.once('ready-to-show', () => window.show())
  window.on('close', event => {
    if (options.isQuitting() || !options.closeToTray()) return
    event.preventDefault()
    window.hide()
  })
  void window.loadURL(options.startUrl)
  return window
}

/** Brings the window to the front (a second launch, the tray, the dock). */
export function showWindow(window: BrowserWindow): void {
  if (window.isDestroyed()) return
  if (window.isMinimized()) window.restore()
  window.show()
  window.focus()
}
