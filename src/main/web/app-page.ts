/**
 * The built renderer (`out/renderer`, from `npm run build`) served at `/app/`: files only, from that folder only,
 * with the app's CSP and the REST API's Host/Origin rules. Without a build, `/app/` answers 503 with a page that says
 * how to make one; the folder is looked at on every request, so building while the runner is up is enough.
 */
import { existsSync } from 'node:fs'
import type { RequestListener } from 'node:http'
import { join } from 'node:path'
import express from 'express'
import { WEB_APP_PATH } from '../../shared/bridge.js'
import { type AccessRules, originRefusal } from './access.js'
import { APP_SECURITY_HEADERS } from './csp.js'

const APP_ROOT = WEB_APP_PATH.replace(/\/$/, '')

const NOT_BUILT_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>WaDock: the web UI is not built</title></head>
<body><h1>The web UI is not built</h1>
<p>WaDock serves its web UI from <code>out/renderer</code>, which does not exist yet. Run <code>npm run build</code> in
WaDock's folder, then reload this page. The REST API works without it.</p></body></html>
`

export function appPageListener(rendererDir: string, rules: AccessRules): RequestListener {
  const app = express()
  app.disable('x-powered-by')
  app.set('etag', false)
  app.set('case sensitive routing', true)
  app.set('strict routing', true)
  app.use((req, res, next) => {
    for (const [name, value] of Object.entries(APP_SECURITY_HEADERS)) res.setHeader(name, value)
    const refusal = originRefusal(req, rules)
    if (refusal) {
      res.status(403).type('text/plain').send(refusal)
      return
    }
    next()
  })
  app.get(APP_ROOT, (req, res) => {
    const query = req.url.indexOf('?')
    res.redirect(301, `${WEB_APP_PATH}${query >= 0 ? req.url.slice(query) : ''}`)
  })
  app.use(APP_ROOT, (_req, res, next) => {
    if (existsSync(join(rendererDir, 'index.html'))) return next()
    res.status(503).setHeader('Cache-Control', 'no-store')
    res.type('html').send(NOT_BUILT_PAGE)
  })
  app.use(APP_ROOT, express.static(rendererDir, {
    index: ['index.html'],
    dotfiles: 'ignore',
    redirect: false,
    fallthrough: true,
    setHeaders: (res, path) => {
      // the page names its bundles by content hash; the page itself must never be stale
      res.setHeader('Cache-Control', path.endsWith('.html') ? 'no-store' : 'no-cache')
    }
  }))
  app.use((req, res) => {
    res.status(req.method === 'GET' || req.method === 'HEAD' ? 404 : 405).type('text/plain').send(`no ${req.method} ${req.path}`)
  })
  return app
}
