/**
 * Linking a new companion device: QR refs and scanning, the pairing-code key exchange, the ADV identity the
 * phone signs (`pair-success`), and the device's counter-signature (wa-protocol.md §2).
 */
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, pbkdf2, randomBytes } from 'node:crypto'
import { promisify } from 'node:util'
import { type BinaryNode, Curve, getBinaryNodeChild, proto } from '@whiskeysockets/baileys'
import type { Account, KeyBundle } from './model.js'
import { unixNow } from './jids.js'

const pbkdf2Async = promisify(pbkdf2)
const ADV_ACCOUNT_SIG_PREFIX = Buffer.from([6, 0])
const ADV_DEVICE_SIG_PREFIX = Buffer.from([6, 1])

export interface QrTiming {
  /** how long the first ref is shown, as Baileys' default (60 s) or its `qrTimeout` */
  firstMs: number
  /** how long each later ref is shown (20 s by default) */
  nextMs: number
}

export interface IssuedRef {
  ref: string
  validFrom: number
  validUntil: number
}

/** A not-yet-linked client connection, as the server sees it from its registration payload. */
export interface Registration {
  noiseKey: Buffer
  bundle: KeyBundle
  platform: string
  refs: IssuedRef[]
  /** set when the client asked to link by pairing code */
  pairingCode?: { phone: string; wrappedCompanionEphemeral: Buffer; ref: string; primaryEphemeral?: { public: Buffer; private: Buffer }; account?: Account }
}

export function registrationFromPayload(payload: proto.IClientPayload, noiseKey: Buffer): Omit<Registration, 'refs'> {
  const pairing = payload.devicePairingData
  if (!pairing?.eRegid || !pairing.eIdent || !pairing.eSkeyId || !pairing.eSkeyVal || !pairing.eSkeySig) {
    throw new Error('registration payload without device pairing data')
  }
  if (pairing.eIdent.length !== 32 || pairing.eSkeyVal.length !== 32 || pairing.eSkeySig.length !== 64) {
    throw new Error('registration payload with malformed keys')
  }
  let platform = 'Chrome'
  try {
    if (pairing.deviceProps) platform = proto.DeviceProps.decode(pairing.deviceProps).os || platform
  } catch {
    // device props are informative only
  }
  return {
    noiseKey,
    platform,
    bundle: {
      registrationId: Buffer.from(pairing.eRegid).readUInt32BE(0),
      identityKey: Buffer.from(pairing.eIdent),
      signedPreKey: {
        id: Buffer.from(pairing.eSkeyId).readUIntBE(0, 3),
        publicKey: Buffer.from(pairing.eSkeyVal),
        signature: Buffer.from(pairing.eSkeySig)
      },
      preKeys: new Map()
    }
  }
}

export function issueRefs(count: number, timing: QrTiming, now = Date.now()): IssuedRef[] {
  const refs: IssuedRef[] = []
  let from = now
  for (let i = 0; i < count; i++) {
    const until = from + (i === 0 ? timing.firstMs : timing.nextMs)
    refs.push({ ref: `2@${randomBytes(24).toString('base64').replace(/,/g, '')}`, validFrom: now, validUntil: until })
    from = until
  }
  return refs
}

export function pairDeviceNode(id: string, refs: IssuedRef[]): BinaryNode {
  return {
    tag: 'iq',
    attrs: { from: '@s.whatsapp.net', type: 'set', id, xmlns: 'md' },
    content: [{ tag: 'pair-device', attrs: {}, content: refs.map(r => ({ tag: 'ref', attrs: {}, content: Buffer.from(r.ref) })) }]
  }
}

export interface ParsedQr {
  ref: string
  noiseKey: Buffer
  identityKey: Buffer
  advSecret: Buffer
  platformId: string
}

/** `https://wa.me/settings/linked_devices#ref,noiseKey,identityKey,advSecret,platform` (or the bare fields). */
export function parseQr(qr: string): ParsedQr | undefined {
  const fields = (qr.includes('#') ? qr.slice(qr.indexOf('#') + 1) : qr).split(',')
  if (fields.length < 4) return undefined
  const [ref, noise, identity, adv, platformId = ''] = fields
  const noiseKey = Buffer.from(noise, 'base64')
  const identityKey = Buffer.from(identity, 'base64')
  const advSecret = Buffer.from(adv, 'base64')
  if (!ref || noiseKey.length !== 32 || identityKey.length !== 32 || advSecret.length !== 32) return undefined
  return { ref, noiseKey, identityKey, advSecret, platformId }
}

/** The account-signed device identity and its HMAC under the link's ADV secret. */
export function buildPairSuccess(opts: {
  id: string
  account: Account
  deviceId: number
  keyIndex: number
  identityKey: Buffer
  advSecret: Buffer
  platform?: string
}): BinaryNode {
  const { account, deviceId, keyIndex } = opts
  const details = proto.ADVDeviceIdentity.encode({
    rawId: account.rawId,
    timestamp: unixNow(),
    keyIndex,
    accountType: proto.ADVEncryptionType.E2EE,
    deviceType: proto.ADVEncryptionType.E2EE
  }).finish()
  const accountSignature = Curve.sign(account.accountKey.private, Buffer.concat([ADV_ACCOUNT_SIG_PREFIX, details, opts.identityKey]))
  const signed = proto.ADVSignedDeviceIdentity.encode({ details, accountSignatureKey: account.accountKey.public, accountSignature }).finish()
  const hmac = createHmac('sha256', opts.advSecret).update(signed).digest()
  const container = proto.ADVSignedDeviceIdentityHMAC.encode({ details: signed, hmac }).finish()
  return {
    tag: 'iq',
    attrs: { from: '@s.whatsapp.net', type: 'set', id: opts.id, xmlns: 'md', t: String(unixNow()) },
    content: [{
      tag: 'pair-success',
      attrs: {},
      content: [
        { tag: 'device-identity', attrs: { 'key-index': String(keyIndex) }, content: container },
        { tag: 'platform', attrs: { name: opts.platform ?? 'android' } },
        { tag: 'device', attrs: { jid: `${account.phone}:${deviceId}@s.whatsapp.net`, lid: `${account.lid}:${deviceId}@lid` } },
        // sets the client's push name at once, which it needs before it may send presence
        { tag: 'biz', attrs: { name: account.name } }
      ]
    }]
  }
}

/** Checks the companion's signature over its device identity (`pair-device-sign`). */
export function verifyDeviceSignature(reply: BinaryNode, identityKey: Buffer, account: Account): boolean {
  const sign = getBinaryNodeChild(reply, 'pair-device-sign')
  const identityNode = getBinaryNodeChild(sign, 'device-identity')
  if (!(identityNode?.content instanceof Uint8Array)) return false
  const signedIdentity = proto.ADVSignedDeviceIdentity.decode(identityNode.content)
  if (!signedIdentity.details || !signedIdentity.deviceSignature) return false
  const message = Buffer.concat([ADV_DEVICE_SIG_PREFIX, signedIdentity.details, identityKey, account.accountKey.public])
  return Curve.verify(identityKey, message, Buffer.from(signedIdentity.deviceSignature))
}

// --- pairing code ---------------------------------------------------------------------------------------------

async function codeKey(code: string, salt: Buffer): Promise<Buffer> {
  return pbkdf2Async(Buffer.from(code), salt, 2 << 16, 32, 'sha256')
}

/** Unwraps the companion's ephemeral key with the code the user typed on the phone. */
export async function unwrapCompanionEphemeral(wrapped: Buffer, code: string): Promise<Buffer> {
  if (wrapped.length !== 80) throw new Error('wrapped ephemeral key must be 80 bytes')
  const key = await codeKey(code, wrapped.subarray(0, 32))
  const decipher = createDecipheriv('aes-256-ctr', key, wrapped.subarray(32, 48))
  return Buffer.concat([decipher.update(wrapped.subarray(48, 80)), decipher.final()])
}

export async function wrapPrimaryEphemeral(publicKey: Buffer, code: string): Promise<Buffer> {
  const salt = randomBytes(32)
  const iv = randomBytes(16)
  const key = await codeKey(code, salt)
  const cipher = createCipheriv('aes-256-ctr', key, iv)
  return Buffer.concat([salt, iv, cipher.update(publicKey), cipher.final()])
}

/** Decrypts the companion's key bundle and derives the ADV secret both sides now share. Throws on a wrong code. */
export function openCompanionBundle(opts: {
  wrappedBundle: Buffer
  companionEphemeral: Buffer
  primaryEphemeral: { private: Buffer }
  account: Account
}): { companionIdentity: Buffer; advSecret: Buffer } {
  const shared = Curve.sharedKey(opts.primaryEphemeral.private, opts.companionEphemeral)
  const salt = opts.wrappedBundle.subarray(0, 32)
  const iv = opts.wrappedBundle.subarray(32, 44)
  const sealed = opts.wrappedBundle.subarray(44)
  const key = Buffer.from(hkdfSync('sha256', shared, salt, 'link_code_pairing_key_bundle_encryption_key', 32))
  const decipher = createDecipheriv('aes-256-gcm', key, iv)
  decipher.setAuthTag(sealed.subarray(sealed.length - 16))
  const plain = Buffer.concat([decipher.update(sealed.subarray(0, sealed.length - 16)), decipher.final()])
  const companionIdentity = plain.subarray(0, 32)
  const primaryIdentity = plain.subarray(32, 64)
  const random = plain.subarray(64, 96)
  if (!primaryIdentity.equals(opts.account.accountKey.public)) throw new Error('bundle names another primary identity')
  const identityShared = Curve.sharedKey(opts.account.accountKey.private, companionIdentity)
  const advSecret = Buffer.from(hkdfSync('sha256', Buffer.concat([shared, identityShared, random]), Buffer.alloc(0), 'adv_secret', 32))
  return { companionIdentity: Buffer.from(companionIdentity), advSecret }
}
