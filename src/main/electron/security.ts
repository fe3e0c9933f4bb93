/**
 * Electron-wide hardening: the app:// scheme that serves out/renderer with the CSP as a response header, every
 * webContents denied navigation away from the app's pages, new windows, webviews and permissions, and one helper
 * that opens http(s) links in the user's browser.
 */
import { readFile } from 'node:fs/promises'
import { app, protocol, session, shell, type WebContents } from 'electron'
import type { Logger } from 'pino'
import { APP_SECURITY_HEADERS } from '../web/csp.js'
import { APP_HOST, APP_SCHEME, appFileOf, contentTypeOf, devCsp, externalUrl, isAppUrl } from './security-rules.js'

/** Before the app is ready: app:// behaves like https (standard, secure, fetch allowed). */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: false } }
  ])
}

/** Serves `wadock://app/…` from the renderer's build, with the app's security headers on every answer. */
export function serveAppScheme(rendererDir: string): void {
  protocol.handle(APP_SCHEME, async request => {
    const file = appFileOf(rendererDir, request.url)
    const headers = { ...APP_SECURITY_HEADERS }
    if (!file || request.method !== 'GET') return new Response('not found', { status: 404, headers })
    try {
      const body = await readFile(file)
      return new Response(body, { status: 200, headers: { ...headers, 'Content-Type': contentTypeOf(file), 'Cache-Control': 'no-cache' } })
    } catch {
      return new Response('not found', { status: 404, headers })
    }
  })
}

/** Opens a link in the user's browser: http(s) only; anything else is refused and logged. */
export async function openExternal(url: string, logger?: Logger): Promise<boolean> {
  const safe = externalUrl(url)
  if (!safe) {
    logger?.warn({ url }, 'refused to open a link that is not http(s)')
    return false
  }
  await shell.openExternal(safe.href)
  return true
}

function harden(contents: WebContents, devServerUrl: string | undefined, logger: Logger | undefined): void {
  contents.on('will-navigate', (event, url) => {
    if (isAppUrl(url, devServerUrl)) return
    event.preventDefault()
    logger?.warn({ url }, 'navigation away from the app denied')
  })
  contents.on('will-redirect', (event, url) => {
    if (!isAppUrl(url, devServerUrl)) event.preventDefault()
  })
  contents.on('will-attach-webview', event => event.preventDefault())
  // a link with target=_blank (the README's, a webhook receiver's) opens in the browser, never in a new window
  contents.setWindowOpenHandler(({ url }) => {
    void openExternal(url, logger)
    return { action: 'deny' }
  })
}

export interface SecurityOptions {
  /** electron-vite's dev server, in development only */
  devServerUrl?: string
  logger?: Logger
}

/** After the app is ready, before any window: hardening for every webContents and the default session. */
export function installSecurity({ devServerUrl, logger }: SecurityOptions): void {
  app.on('web-contents-created', (_event, contents) => harden(contents, devServerUrl, logger))
  const ses = session.defaultSession
  // copying a token or a curl example to the clipboard is the one thing the page may ask for
  const allowed = new Set(['clipboard-sanitized-write'])
  ses.setPermissionRequestHandler((_contents, permission, callback) => callback(allowed.has(permission)))
  ses.setPermissionCheckHandler((_contents, permission) => allowed.has(permission))
  if (devServerUrl) {
    const csp = devCsp(devServerUrl)
    ses.webRequest.onHeadersReceived({ urls: [`${new URL(devServerUrl).origin}/*`] }, (details, callback) => {
      callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [csp] } })
    })
  }
}

export { APP_HOST, APP_SCHEME }
