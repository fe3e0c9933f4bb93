/**
 * The simulator's own certificate authority for the Noise handshake.
 *
 * Baileys checks that the intermediate certificate is signed by `WA_CERT_DETAILS.PUBLIC_KEY`, that the leaf is
 * signed by the intermediate, and that the intermediate's issuer serial is 0. The simulator signs with its own
 * fixed root key, so a client must be told to trust it (see trust.ts); no real WhatsApp key is ever involved.
 */
import { Curve, proto } from '@whiskeysockets/baileys'
import * as curve from 'libsignal/src/curve.js'

/** Fixed and public on purpose: it only ever authenticates a local simulator, never a real server. */
const ROOT_PRIVATE_KEY_HEX = '20b1cbd7e5ad3a4ab6f3e0b1dbd27b2ef8ccf1a7d63e4a1b9c52a0f4dd8a3c61'

export interface KeyPair {
  public: Buffer
  private: Buffer
}

function keyPairFromPrivate(privateKeyHex: string): KeyPair {
  const priv = Buffer.from(privateKeyHex, 'hex')
  // libsignal returns the 33-byte 0x05-prefixed form; Baileys' Curve works with the bare 32 bytes.
  const pub = Buffer.from((curve as unknown as { getPublicFromPrivateKey(k: Buffer): Uint8Array }).getPublicFromPrivateKey(priv)).subarray(1)
  return { private: priv, public: pub }
}

/** Baileys' Curve types its keys as Uint8Array; the simulator wants Buffers (which they are at runtime). */
export function newKeyPair(): KeyPair {
  const pair = Curve.generateKeyPair()
  return { public: Buffer.from(pair.public), private: Buffer.from(pair.private) }
}

export const SIM_ROOT_KEY: KeyPair = keyPairFromPrivate(ROOT_PRIVATE_KEY_HEX)
export const SIM_ROOT_PUBLIC_KEY_HEX = SIM_ROOT_KEY.public.toString('hex')

/** Builds the encoded CertChain that proves `serverStatic` belongs to a server the root key vouches for. */
export function buildCertChain(serverStatic: Buffer): Uint8Array {
  const intermediateKey = Curve.generateKeyPair()
  const now = Math.floor(Date.now() / 1000)
  const yearS = 365 * 24 * 3600
  const intermediateDetails = proto.CertChain.NoiseCertificate.Details.encode({
    serial: 1,
    // Explicit 0: proto3 `optional` would otherwise decode an absent field as null, and Baileys compares with 0.
    issuerSerial: 0,
    key: intermediateKey.public,
    notBefore: now - yearS,
    notAfter: now + 10 * yearS
  }).finish()
  const leafDetails = proto.CertChain.NoiseCertificate.Details.encode({
    serial: 2,
    issuerSerial: 1,
    key: serverStatic,
    notBefore: now - yearS,
    notAfter: now + 10 * yearS
  }).finish()
  return proto.CertChain.encode({
    intermediate: { details: intermediateDetails, signature: Curve.sign(SIM_ROOT_KEY.private, intermediateDetails) },
    leaf: { details: leafDetails, signature: Curve.sign(intermediateKey.private, leafDetails) }
  }).finish()
}
