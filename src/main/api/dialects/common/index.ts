/** Helpers every dialect may use: token checks, body parsing, case-insensitive field names, error classification. */
export { isAdminToken, MAX_TOKEN_LENGTH, sessionIdForToken, stripBearer } from './auth.js'
export { BodyError, type BodyFailure, jsonBody } from './body.js'
export { classifyError, type Failure, type FailureKind } from './errors.js'
export { canonicalKeys } from './keys.js'
