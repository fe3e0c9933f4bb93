/**
 * The desktop app's security rules as pure functions (no Electron import, so they are unit-tested): which URLs are
 * the app's own pages, which links may open in the user's browser, which file an app:// request may read.
 */
import { extname, resolve, sep } from 'node:path'

/** The app's pages load from `wadock://app/…`, a privileged standard scheme served from out/renderer. */
export const APP_SCHEME = 'wadock'
export const APP_HOST = 'app'
export const APP_START_URL = `${APP_SCHEME}://${APP_HOST}/index.html`

function parse(url: string): URL | undefined {
  try {
    return new URL(url)
  } catch {
    return undefined
  }
}

/** The app's own pages: `wadock://app/…`, or, in development only, the dev server's origin. */
export function isAppUrl(url: string, devServerUrl?: string): boolean {
  const parsed = parse(url)
  if (!parsed) return false
  if (parsed.protocol === `${APP_SCHEME}:` && parsed.host === APP_HOST) return true
  const dev = devServerUrl ? parse(devServerUrl) : undefined
  return !!dev && parsed.protocol === dev.protocol && parsed.host === dev.host
}

/** A link the user may open in their browser: http(s) only, no credentials in it; undefined for anything else. */
export function externalUrl(url: string): URL | undefined {
  const parsed = parse(url)
  if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) return undefined
  if (parsed.username || parsed.password || !parsed.hostname) return undefined
  return parsed
}

/** The file under `rendererDir` an app:// URL names (`/` is index.html); undefined when it would leave the folder. */
export function appFileOf(rendererDir: string, url: string): string | undefined {
  const parsed = parse(url)
  if (!parsed || parsed.protocol !== `${APP_SCHEME}:` || parsed.host !== APP_HOST) return undefined
  let path: string
  try {
    path = decodeURIComponent(parsed.pathname)
  } catch {
    return undefined
  }
  if (path.includes('\0')) return undefined
  const root = resolve(rendererDir)
  const file = resolve(root, `.${path === '/' ? '/index.html' : path}`)
  return file.startsWith(root + sep) ? file : undefined
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.json': 'application/json', '.svg': 'image/svg+xml', '.png': 'image/png',
  '.jpg': 'image/jpeg', '.ico': 'image/x-icon', '.woff2': 'font/woff2', '.woff': 'font/woff', '.map': 'application/json'
}

export function contentTypeOf(file: string): string {
  return TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream'
}

/**
 * The dev server's pages (electron-vite dev only) need what Vite's hot reload injects: an inline module preamble
 * and a WebSocket back to the dev server. The packaged app never uses this.
 */
export function devCsp(devServerUrl: string): string {
  const dev = new URL(devServerUrl)
  return [
    "default-src 'self'", "script-src 'self' 'unsafe-inline'", "style-src 'self' 'unsafe-inline'", "img-src 'self' data:",
    `connect-src 'self' ws://${dev.host}`, "object-src 'none'", "base-uri 'none'", "form-action 'none'", "frame-ancestors 'none'"
  ].join('; ')
}
