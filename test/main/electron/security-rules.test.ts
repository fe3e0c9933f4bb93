/** The desktop app's security rules: its own pages, links allowed out, files an app:// request may read. */
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { APP_START_URL, appFileOf, contentTypeOf, devCsp, externalUrl, isAppUrl } from '../../../src/main/electron/security-rules.js'
import { APP_CSP } from '../../../src/main/web/csp.js'

describe('security rules', () => {
  it('knows the app\'s own pages (and the dev server only when given)', () => {
    expect(APP_START_URL).toBe('wadock://app/index.html')
    expect(isAppUrl('wadock://app/index.html#session=x')).toBe(true)
    expect(isAppUrl('wadock://other/index.html')).toBe(false)
    expect(isAppUrl('file:///etc/passwd')).toBe(false)
    expect(isAppUrl('https://evil.example/')).toBe(false)
    expect(isAppUrl('http://localhost:5173/')).toBe(false)
    expect(isAppUrl('http://localhost:5173/src/main.tsx', 'http://localhost:5173')).toBe(true)
    expect(isAppUrl('http://localhost:5174/', 'http://localhost:5173')).toBe(false)
    expect(isAppUrl('not a url')).toBe(false)
  })

  it('lets only http(s) links without credentials out', () => {
    expect(externalUrl('https://github.com/WhiskeySockets/Baileys')?.href).toBe('https://github.com/WhiskeySockets/Baileys')
    expect(externalUrl('http://127.0.0.1:7780/docs')?.href).toBe('http://127.0.0.1:7780/docs')
    for (const url of ['file:///etc/passwd', 'javascript:alert(1)', 'smb://host/share', 'wadock://app/', 'https://user:pw@example.com/', 'ms-settings:', '']) {
      expect(externalUrl(url), url).toBeUndefined()
    }
  })

  it('maps app:// URLs to files inside the renderer folder only', () => {
    const dir = '/opt/wadock/out/renderer'
    expect(appFileOf(dir, 'wadock://app/')).toBe(join(dir, 'index.html'))
    expect(appFileOf(dir, 'wadock://app/index.html?x=1#y')).toBe(join(dir, 'index.html'))
    expect(appFileOf(dir, 'wadock://app/assets/index-abc.js')).toBe(join(dir, 'assets/index-abc.js'))
    // dot segments are resolved by the URL parser against the root, so they stay inside
    expect(appFileOf(dir, 'wadock://app/%2e%2e/%2e%2e/secret')).toBe(join(dir, 'secret'))
    expect(appFileOf(dir, 'wadock://app/..%2f..%2fsecret')).toBeUndefined()
    expect(appFileOf(dir, 'wadock://app/a%00b')).toBeUndefined()
    expect(appFileOf(dir, 'wadock://app/%E0%A4%A')).toBeUndefined()
    expect(appFileOf(dir, 'wadock://elsewhere/index.html')).toBeUndefined()
    expect(appFileOf(dir, 'https://app/index.html')).toBeUndefined()
  })

  it('types what it serves, and keeps the CSP strict', () => {
    expect(contentTypeOf('/x/index.html')).toBe('text/html; charset=utf-8')
    expect(contentTypeOf('/x/a.JS')).toBe('text/javascript; charset=utf-8')
    expect(contentTypeOf('/x/blob')).toBe('application/octet-stream')
    expect(APP_CSP).not.toMatch(/unsafe/)
    expect(APP_CSP).toMatch(/default-src 'self'.*object-src 'none'.*frame-ancestors 'none'/)
    expect(devCsp('http://localhost:5173')).toMatch(/connect-src 'self' ws:\/\/localhost:5173/)
  })
})
