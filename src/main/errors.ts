/**
 * Typed errors of the host's operations. The REST layer maps each to a status code (and each dialect to its own
 * shape); nothing else needs to know HTTP.
 */
export class WaDockError extends Error {
  constructor(message: string, readonly details?: unknown) {
    super(message)
    this.name = new.target.name
  }
}

/** 400: the input is malformed (a bad number, an unsupported media type). */
export class ValidationError extends WaDockError {}
/** 404: no such session, message or group. */
export class NotFoundError extends WaDockError {}
/** 409: the session is in the wrong state for this (not linked, already linked, already exists). */
export class ConflictError extends WaDockError {}
/** 422: WhatsApp refused or the operation could not be carried out. */
export class OperationError extends WaDockError {}
