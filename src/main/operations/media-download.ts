/**
 * Media described by its descriptor (what a received message carries: URL or direct path, media key, hashes), not
 * by a stored message: downloaded from WhatsApp's media servers and decrypted with the media key. Gateways whose
 * webhooks hand out these descriptors (wuzapi's four downloads) let callers fetch media this way.
 */
import { createDecipheriv, createHash, createHmac, timingSafeEqual } from 'node:crypto'
import { DEFAULT_ORIGIN, getHttpStream, getMediaKeys, getUrlFromDirectPath, type MediaType } from '@whiskeysockets/baileys'
import { z } from 'zod'
import type { DownloadedMedia } from '../../shared/operations.js'
import { NotFoundError, OperationError, ValidationError, WaDockError } from '../errors.js'
import { DEFAULT_MAX_MEDIA_BYTES, type OperationOptions, type OperationsHost, parseInput } from './common.js'
import { sniffMimetype } from './media-input.js'

export const DESCRIPTOR_MEDIA_KINDS = ['image', 'video', 'audio', 'document', 'sticker'] as const
export type DescriptorMediaKind = (typeof DESCRIPTOR_MEDIA_KINDS)[number]

const DEFAULT_TYPES: Record<DescriptorMediaKind, string> = {
  image: 'image/jpeg', video: 'video/mp4', audio: 'audio/ogg; codecs=opus', document: 'application/octet-stream', sticker: 'image/webp'
}

/** Bytes as a Buffer or as base64 (how JSON carries them). */
const bytesSchema = z.union([
  z.custom<Uint8Array>(v => v instanceof Uint8Array, 'must be bytes'),
  z.string().trim().regex(/^[A-Za-z0-9+/_-]*={0,2}$/, 'must be base64')
]).transform(v => (typeof v === 'string' ? Buffer.from(v, v.includes('-') || v.includes('_') ? 'base64url' : 'base64') : Buffer.from(v)))

export const mediaDescriptorInputSchema = z.object({
  kind: z.enum(DESCRIPTOR_MEDIA_KINDS),
  /** the encrypted file's https URL */
  url: z.string().trim().url().refine(u => u.startsWith('https://'), 'must be an https URL').optional(),
  /** the path on WhatsApp's media hosts (used with the URL's host, or WhatsApp's default one) */
  directPath: z.string().trim().regex(/^\/\S+$/, 'must be a path starting with "/"').optional(),
  mediaKey: bytesSchema.refine(b => b.length === 32, 'must be 32 bytes'),
  mimetype: z.string().trim().max(255).optional(),
  /** SHA-256 of the decrypted file: checked when given */
  fileSha256: bytesSchema.refine(b => b.length === 32, 'must be 32 bytes').optional(),
  /** the decrypted file's size: checked when given */
  fileLength: z.number().int().nonnegative().optional()
}).refine(v => v.url || v.directPath, { message: 'give url or directPath', path: ['url'] })

/** Encryption adds at most a block of padding and the 10-byte MAC. */
const MEDIA_OVERHEAD_BYTES = 16 + 10

/** Downloads and decrypts the media a descriptor points to. The session must exist; no connection is needed. */
export async function downloadMediaDescriptor(
  host: OperationsHost, sessionId: string, input: z.input<typeof mediaDescriptorInputSchema>, options: OperationOptions = {}
): Promise<DownloadedMedia> {
  const maxBytes = options.maxMediaBytes ?? DEFAULT_MAX_MEDIA_BYTES
  const i = parseInput(mediaDescriptorInputSchema, input)
  host.sessions.get(sessionId)
  const keys = await getMediaKeys(i.mediaKey, i.kind as MediaType)
  let bytes: Buffer
  try {
    // where Baileys' downloadContentFromMessage fetches from, but checked here: it decrypts without the MAC
    const url = i.directPath ? getUrlFromDirectPath(i.directPath, i.url ? new URL(i.url).host : undefined) : i.url!
    const stream = await getHttpStream(url, {
      headers: { Origin: DEFAULT_ORIGIN }, ...(host.mediaDispatcher ? { dispatcher: host.mediaDispatcher } : {})
    } as RequestInit)
    // capped like every other media WaDock takes in: a descriptor may point at anything, of any size
    const limit = maxBytes + MEDIA_OVERHEAD_BYTES
    const chunks: Buffer[] = []
    let received = 0
    for await (const chunk of stream) {
      received += (chunk as Buffer).length
      if (received > limit) {
        (stream as { destroy?: () => void }).destroy?.()
        throw new ValidationError(`the media is larger than ${maxBytes} bytes`)
      }
      chunks.push(chunk as Buffer)
    }
    bytes = decryptMedia(Buffer.concat(chunks), keys)
  } catch (err) {
    if (err instanceof WaDockError) throw err
    const e = err as { status?: number; output?: { statusCode?: number }; message?: string }
    const status = e.status ?? e.output?.statusCode
    if (status === 404 || status === 410) throw new NotFoundError(`the media is no longer on WhatsApp's servers (${status})`)
    throw new OperationError(`could not download the media: ${e.message ?? String(err)}${status ? ` (${status})` : ''}`)
  }
  if (!bytes.length) throw new OperationError('could not download the media: it is empty (a wrong media key decrypts to nothing)')
  if (i.fileSha256 && !createHash('sha256').update(bytes).digest().equals(i.fileSha256)) {
    throw new ValidationError('the downloaded media does not match fileSha256 (wrong media key or descriptor)')
  }
  if (i.fileLength !== undefined && i.fileLength !== bytes.length) {
    throw new ValidationError(`the downloaded media is ${bytes.length} bytes, not fileLength ${i.fileLength}`)
  }
  const mimetype = i.mimetype || sniffMimetype(bytes, i.kind) || DEFAULT_TYPES[i.kind]
  return { bytes, mimetype, size: bytes.length }
}

/**
 * WhatsApp's media file: AES-256-CBC ciphertext followed by the first 10 bytes of HMAC-SHA256(macKey, iv ‖ ciphertext).
 * The MAC is checked first: without it, any https answer decrypts under a key chosen to give valid padding, and the
 * caller, knowing the key, could read it back.
 */
function decryptMedia(file: Buffer, keys: { cipherKey: Uint8Array; iv: Uint8Array; macKey?: Uint8Array }): Buffer {
  const ciphertext = file.subarray(0, Math.max(0, file.length - 10))
  const mac = createHmac('sha256', keys.macKey ?? Buffer.alloc(0)).update(keys.iv).update(ciphertext).digest().subarray(0, 10)
  if (file.length < 10 + 16 || !timingSafeEqual(mac, file.subarray(ciphertext.length))) {
    throw new OperationError('could not download the media: its MAC does not match (wrong media key, or not WhatsApp media)')
  }
  const decipher = createDecipheriv('aes-256-cbc', keys.cipherKey, keys.iv)
  return Buffer.concat([decipher.update(ciphertext), decipher.final()])
}
