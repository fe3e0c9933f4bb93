/**
 * Headless mode's web UI on the REST API's port: the built renderer at `/app/` and the bridge at `/app/bridge`
 * (the same handlers the desktop app reaches over IPC). Everything else goes to the REST API untouched.
 */
import type { RequestListener } from 'node:http'
import type { Logger } from 'pino'
import { WEB_APP_PATH } from '../../shared/bridge.js'
import type { Bridge } from '../bridge/index.js'
import type { ApiExtension } from '../host.js'
import type { AccessRules } from './access.js'
import { appPageListener } from './app-page.js'
import { createBridgeSocketServer } from './bridge-socket.js'

export interface WebUiOptions extends AccessRules {
  bridge: Bridge
  adminToken: () => string
  /** the renderer's build output (`out/renderer`) */
  rendererDir: string
  logger?: Logger
  heartbeatMs?: number
}

const APP_ROOT = WEB_APP_PATH.replace(/\/$/, '')

/** Whether a request path belongs to the web UI: `/app` and everything below it. */
export function isWebUiPath(url: string | undefined): boolean {
  const path = (url ?? '').split('?')[0]
  return path === APP_ROOT || path.startsWith(WEB_APP_PATH)
}

export function createWebUi(options: WebUiOptions): ApiExtension {
  const page = appPageListener(options.rendererDir, options)
  const sockets = createBridgeSocketServer(options)
  return {
    wrap: (api: RequestListener): RequestListener => (req, res) => (isWebUiPath(req.url) ? page(req, res) : api(req, res)),
    attach: server => sockets.attach(server),
    close: () => sockets.close()
  }
}

export { APP_CSP, APP_SECURITY_HEADERS } from './csp.js'
export { CLOSE as BRIDGE_CLOSE_CODES } from './bridge-socket.js'
