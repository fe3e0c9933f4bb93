/** Webhook signatures: WaDock's own over `timestamp.body`, and wuzapi's over the body alone. */
import { createHmac, timingSafeEqual } from 'node:crypto'

/** `sha256=<hex>` of HMAC-SHA256(secret, `${timestamp}.${body}`): the `X-WaDock-Signature` header. */
export function signPayload(secret: string, timestamp: string, body: Buffer | string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex')}`
}

/** Checks an `X-WaDock-Signature` header in constant time: what a receiver does. */
export function verifyPayload(secret: string, timestamp: string, body: Buffer | string, signature: string): boolean {
  const expected = Buffer.from(signPayload(secret, timestamp, body))
  const given = Buffer.from(signature)
  return expected.length === given.length && timingSafeEqual(expected, given)
}

/** wuzapi's `x-hmac-signature`: hex HMAC-SHA256 of the exact body bytes, keyed by the secret, no prefix. */
export function wuzapiSignature(secret: string, body: Buffer | string): string {
  return createHmac('sha256', secret).update(body).digest('hex')
}
