/** Defaults of the REST server; the settings (src/main/settings) may override host and port. */

/** The documented default port of the REST API (the settings' `rest.port` default is the same number). */
export const DEFAULT_API_PORT = 7780
/** Loopback only by default: the API is for programs on this machine. */
export const DEFAULT_API_HOST = '127.0.0.1'
/** Largest JSON request body: room for media sent as base64 (a 16 MB file is about 21.4 MB in base64). */
export const DEFAULT_BODY_LIMIT = '25mb'
/** The native API's base path. */
export const API_V1_PREFIX = '/api/v1'
