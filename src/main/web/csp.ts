/**
 * The Content-Security-Policy of WaDock's own pages, in the desktop window and in the browser alike: scripts,
 * styles and fonts only from the app itself, images also as data: URLs (the QR code), connections only to the app
 * itself (its bridge WebSocket in a browser), nothing embedded, no framing, no forms, no <base>.
 */
export const APP_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "frame-src 'none'",
  "worker-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'"
].join('; ')

/** Headers of every page and file WaDock serves to its UI. */
export const APP_SECURITY_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'Content-Security-Policy': APP_CSP,
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin'
})
