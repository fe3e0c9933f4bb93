/**
 * The docs page: Swagger UI from the swagger-ui-dist package, served from disk (no CDN), rendering the API's own
 * OpenAPI document. Its script is a file too, so the page runs under a CSP without inline scripts.
 */
import { dirname } from 'node:path'
import { createRequire } from 'node:module'
import express, { Router } from 'express'

const swaggerUiDir = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'))

/** Only what the page uses; nothing else of the package is reachable. */
const ASSETS = new Set(['swagger-ui.css', 'swagger-ui-bundle.js', 'favicon-32x32.png', 'favicon-16x16.png'])

const CSP = [
  "default-src 'none'", "script-src 'self'", "style-src 'self' 'unsafe-inline'", "img-src 'self' data:",
  "connect-src 'self'", "font-src 'self' data:", "base-uri 'none'", "form-action 'none'", "frame-ancestors 'none'"
].join('; ')

function page(): string {
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>WaDock API</title>
  <link rel="stylesheet" href="/docs/assets/swagger-ui.css">
  <link rel="icon" type="image/png" href="/docs/assets/favicon-32x32.png">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/docs/assets/swagger-ui-bundle.js"></script>
  <script src="/docs/init.js"></script>
</body>
</html>
`
}

function initScript(openApiUrl: string): string {
  return `window.addEventListener('load', function () {
  window.ui = SwaggerUIBundle({
    url: ${JSON.stringify(openApiUrl)},
    dom_id: '#swagger-ui',
    deepLinking: true,
    // no calls to the public validator service: everything stays on this machine
    validatorUrl: null,
    onComplete: function () { document.body.setAttribute('data-docs-state', 'ready') }
  })
})
`
}

export function docsRouter(openApiUrl: string): Router {
  const router = Router({ caseSensitive: true })
  const html = page()
  const init = initScript(openApiUrl)
  router.get('/docs', (_req, res) => { res.setHeader('Content-Security-Policy', CSP).type('html').send(html) })
  router.get('/docs/init.js', (_req, res) => { res.type('js').send(init) })
  const assets = express.static(swaggerUiDir, { index: false, dotfiles: 'deny', fallthrough: true, maxAge: '1h' })
  router.get('/docs/assets/:file', (req, res, next) => {
    if (!ASSETS.has(req.params.file)) return next()
    req.url = `/${req.params.file}`
    assets(req, res, next)
  })
  return router
}
