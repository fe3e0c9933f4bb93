/**
 * The server half of WhatsApp's Noise_XX_25519_AESGCM_SHA256 handshake and the transport cipher after it,
 * mirroring Baileys' lib/Utils/noise-handler.js step for step (see wa-protocol.md §1.3).
 */
import { createCipheriv, createDecipheriv, createHash, hkdfSync } from 'node:crypto'
import { Curve, NOISE_MODE, NOISE_WA_HEADER, proto } from '@whiskeysockets/baileys'
import { buildCertChain, type KeyPair } from './root-key.js'

const EMPTY = Buffer.alloc(0)

function gcmIv(counter: number): Buffer {
  const iv = Buffer.alloc(12)
  iv.writeUInt32BE(counter, 8)
  return iv
}

function aesGcmEncrypt(plaintext: Uint8Array, key: Buffer, iv: Buffer, aad: Buffer): Buffer {
  const cipher = createCipheriv('aes-256-gcm', key, iv)
  cipher.setAAD(aad)
  return Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()])
}

function aesGcmDecrypt(ciphertext: Uint8Array, key: Buffer, iv: Buffer, aad: Buffer): Buffer {
  if (ciphertext.length < 16) throw new Error('ciphertext too short')
  const decipher = createDecipheriv('aes-256-gcm', key, iv)
  decipher.setAAD(aad)
  decipher.setAuthTag(Buffer.from(ciphertext.subarray(ciphertext.length - 16)))
  return Buffer.concat([decipher.update(ciphertext.subarray(0, ciphertext.length - 16)), decipher.final()])
}

function hkdf64(ikm: Buffer, salt: Buffer): [Buffer, Buffer] {
  const out = Buffer.from(hkdfSync('sha256', ikm, salt, EMPTY, 64))
  return [out.subarray(0, 32), out.subarray(32)]
}

/** Each direction keeps its own counter from 0 for the lifetime of the connection. */
export class TransportCipher {
  private readCounter = 0
  private writeCounter = 0
  constructor(private readonly encKey: Buffer, private readonly decKey: Buffer) {}
  encrypt(plaintext: Uint8Array): Buffer {
    return aesGcmEncrypt(plaintext, this.encKey, gcmIv(this.writeCounter++), EMPTY)
  }
  decrypt(ciphertext: Uint8Array): Buffer {
    return aesGcmDecrypt(ciphertext, this.decKey, gcmIv(this.readCounter++), EMPTY)
  }
}

export interface HandshakeResult {
  clientStaticKey: Buffer
  payload: proto.ClientPayload
  transport: TransportCipher
}

export class NoiseServerHandshake {
  private hash: Buffer
  private salt: Buffer
  private key: Buffer
  private counter = 0
  private ephemeral = Curve.generateKeyPair()

  constructor(private readonly serverStatic: KeyPair) {
    const mode = Buffer.from(NOISE_MODE)
    this.hash = this.salt = this.key = mode
    this.mixHash(NOISE_WA_HEADER)
  }

  private mixHash(data: Uint8Array): void {
    this.hash = createHash('sha256').update(this.hash).update(data).digest()
  }

  private mixKey(ikm: Buffer): void {
    const [salt, key] = hkdf64(ikm, this.salt)
    this.salt = salt
    this.key = key
    this.counter = 0
  }

  private encrypt(plaintext: Uint8Array): Buffer {
    const ct = aesGcmEncrypt(plaintext, this.key, gcmIv(this.counter++), this.hash)
    this.mixHash(ct)
    return ct
  }

  private decrypt(ciphertext: Uint8Array): Buffer {
    const pt = aesGcmDecrypt(ciphertext, this.key, gcmIv(this.counter++), this.hash)
    this.mixHash(ciphertext)
    return pt
  }

  /** Takes the ClientHello frame and returns the ServerHello frame payload. */
  serverHello(clientHelloFrame: Buffer): Uint8Array {
    const hello = proto.HandshakeMessage.decode(clientHelloFrame)
    const clientEphemeral = hello.clientHello?.ephemeral
    if (!clientEphemeral || clientEphemeral.length !== 32) throw new Error('invalid client hello')
    this.mixHash(clientEphemeral)
    this.mixHash(this.ephemeral.public)
    this.mixKey(Curve.sharedKey(this.ephemeral.private, Buffer.from(clientEphemeral)))
    const encStatic = this.encrypt(this.serverStatic.public)
    this.mixKey(Curve.sharedKey(this.serverStatic.private, Buffer.from(clientEphemeral)))
    const encCert = this.encrypt(buildCertChain(this.serverStatic.public))
    return proto.HandshakeMessage.encode({
      serverHello: { ephemeral: this.ephemeral.public, static: encStatic, payload: encCert }
    }).finish()
  }

  /** Takes the ClientFinish frame; returns the client's static key, its ClientPayload and the transport cipher. */
  clientFinish(clientFinishFrame: Buffer): HandshakeResult {
    const finish = proto.HandshakeMessage.decode(clientFinishFrame).clientFinish
    if (!finish?.static || !finish.payload) throw new Error('invalid client finish')
    const clientStaticKey = this.decrypt(finish.static)
    if (clientStaticKey.length !== 32) throw new Error('invalid client static key')
    this.mixKey(Curve.sharedKey(this.ephemeral.private, clientStaticKey))
    const payload = proto.ClientPayload.decode(this.decrypt(finish.payload))
    const [clientEnc, clientDec] = hkdf64(EMPTY, this.salt)
    // The server writes with the client's read key and reads with its write key.
    return { clientStaticKey, payload, transport: new TransportCipher(clientDec, clientEnc) }
  }
}
