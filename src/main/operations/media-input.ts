/**
 * Media given to an operation, turned into bytes and a MIME type: a Buffer, base64, a data URL, or an http(s) URL
 * fetched with a size limit and a timeout. The type is what the bytes are (recognised by their first bytes) where
 * they tell, else what the caller, the data URL or the server said; each kind of message takes only the types
 * WhatsApp shows. Every problem is a ValidationError that names the field.
 */
import { extname } from 'node:path'
import type { MediaSource } from '../../shared/operations.js'
import { ValidationError } from '../errors.js'
import { DEFAULT_MAX_MEDIA_BYTES, DEFAULT_MEDIA_FETCH_TIMEOUT_MS, type OperationOptions } from './common.js'

export type MediaKind = 'image' | 'video' | 'audio' | 'document' | 'sticker'

export interface ResolvedMedia {
  bytes: Buffer
  /** the full MIME type to send, parameters included (`audio/ogg; codecs=opus`) */
  mimetype: string
  /** from the URL's last path segment, when fetched */
  fileName?: string
}

export interface MediaHints {
  /** the field the media came in, for error messages */
  field: string
  /** the MIME type the caller gave */
  mimetype?: string
  /** the file name the caller gave (a document's type may follow from its extension) */
  fileName?: string
}

/** What each kind accepts, by base type. Documents take anything. */
const ACCEPTED: Record<Exclude<MediaKind, 'document'>, { types: string[]; describe: string }> = {
  image: { types: ['image/jpeg', 'image/png', 'image/webp'], describe: 'JPEG, PNG or WebP' },
  sticker: { types: ['image/webp'], describe: 'WebP' },
  video: { types: ['video/mp4', 'video/3gpp'], describe: 'MP4 or 3GP' },
  audio: {
    types: ['audio/ogg', 'audio/opus', 'audio/mpeg', 'audio/mp3', 'audio/mp4', 'audio/x-m4a', 'audio/aac', 'audio/amr'],
    describe: 'OGG/Opus, MP3, M4A, AAC or AMR'
  }
}

const baseType = (mimetype: string) => mimetype.split(';')[0].trim().toLowerCase()
const GENERIC_TYPES = new Set(['application/octet-stream', 'binary/octet-stream', 'application/binary', 'application/unknown'])

/** The MIME type the first bytes show, for the formats WhatsApp media come in; undefined when they tell nothing. */
export function sniffMimetype(bytes: Uint8Array, kind?: MediaKind): string | undefined {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.byteLength, 64))
  const ascii = (start: number, end: number) => b.subarray(start, end).toString('latin1')
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'image/jpeg'
  if (b.length >= 8 && b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png'
  if (b.length >= 12 && ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP') return 'image/webp'
  if (b.length >= 12 && ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WAVE') return 'audio/wav'
  if (b.length >= 6 && /^GIF8[79]a$/.test(ascii(0, 6))) return 'image/gif'
  if (b.length >= 5 && ascii(0, 5) === '%PDF-') return 'application/pdf'
  if (b.length >= 4 && ascii(0, 4) === 'OggS') return 'audio/ogg'
  if (b.length >= 5 && ascii(0, 5) === '#!AMR') return 'audio/amr'
  if (b.length >= 3 && ascii(0, 3) === 'ID3') return 'audio/mpeg'
  if (b.length >= 2 && b[0] === 0xff && (b[1] & 0xf6) === 0xf0) return 'audio/aac'
  if (b.length >= 2 && b[0] === 0xff && (b[1] & 0xe0) === 0xe0 && (b[1] & 0x06) !== 0) return 'audio/mpeg'
  if (b.length >= 12 && ascii(4, 8) === 'ftyp') {
    const brand = ascii(8, 12)
    if (brand.startsWith('3g')) return 'video/3gpp'
    if (brand.startsWith('M4A') || brand.startsWith('M4B')) return 'audio/mp4'
    if (brand === 'qt  ') return 'video/quicktime'
    return kind === 'audio' ? 'audio/mp4' : 'video/mp4'
  }
  if (b.length >= 4 && b.readUInt32BE(0) === 0x1a45dfa3) return 'video/webm'
  if (b.length >= 4 && b.readUInt32BE(0) === 0x504b0304) return 'application/zip'
  return undefined
}

/** Document types by file extension, for documents whose bytes and caller say nothing. */
const BY_EXTENSION: Record<string, string> = {
  '.pdf': 'application/pdf', '.txt': 'text/plain', '.csv': 'text/csv', '.json': 'application/json', '.xml': 'application/xml',
  '.html': 'text/html', '.zip': 'application/zip', '.doc': 'application/msword',
  '.docx': 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  '.xls': 'application/vnd.ms-excel', '.xlsx': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  '.ppt': 'application/vnd.ms-powerpoint', '.pptx': 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.png': 'image/png', '.mp4': 'video/mp4', '.mp3': 'audio/mpeg', '.ogg': 'audio/ogg'
}

/**
 * The MIME type to send: the sniffed type when the bytes tell (keeping the declared parameters when the base types
 * agree), else the declared one; either must be one the kind accepts.
 */
function chooseMimetype(kind: MediaKind, bytes: Buffer, declared: string | undefined, field: string, fileName?: string): string {
  const sniffed = sniffMimetype(bytes, kind)
  if (kind === 'document') {
    if (declared) return declared
    return sniffed ?? (fileName ? BY_EXTENSION[extname(fileName).toLowerCase()] : undefined) ?? 'application/octet-stream'
  }
  const { types, describe } = ACCEPTED[kind]
  if (sniffed) {
    // the ftyp box of an MP4 says nothing of whether it holds video: an audio MP4 declared as such is audio
    const effective = kind === 'audio' && sniffed === 'video/mp4' ? 'audio/mp4' : sniffed
    if (!types.includes(effective)) throw new ValidationError(`${field}: unsupported ${kind} type ${effective} (expected ${describe})`)
    return declared && baseType(declared) === effective ? declared : effective
  }
  if (!declared) throw new ValidationError(`${field}: not a recognisable ${kind} (expected ${describe}); give its mimetype if it is one`)
  if (!types.includes(baseType(declared))) throw new ValidationError(`${field}: unsupported ${kind} type ${baseType(declared)} (expected ${describe})`)
  return declared
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/
const BASE64URL = /^[A-Za-z0-9_-]*={0,2}$/

/** Decodes strict base64 (standard or URL-safe alphabet, whitespace ignored); undefined when it is not base64. */
export function decodeBase64(text: string, maxBytes: number, field: string): Buffer | undefined {
  const compact = text.replace(/\s+/g, '')
  if (!compact || !(BASE64.test(compact) || BASE64URL.test(compact))) return undefined
  const unpadded = compact.replace(/=+$/, '')
  if (compact.includes('=') ? compact.length % 4 !== 0 : unpadded.length % 4 === 1) return undefined
  const size = Math.floor((unpadded.length * 3) / 4)
  if (size > maxBytes) throw new ValidationError(`${field}: the media is ${size} bytes, more than the limit of ${maxBytes}`)
  return Buffer.from(unpadded, BASE64.test(compact) ? 'base64' : 'base64url')
}

function parseDataUrl(url: string, maxBytes: number, field: string): { bytes: Buffer; mimetype?: string } {
  const comma = url.indexOf(',')
  if (comma < 0) throw new ValidationError(`${field}: malformed data URL (no comma)`)
  const meta = url.slice(5, comma).split(';').map(s => s.trim())
  const isBase64 = meta.at(-1)?.toLowerCase() === 'base64'
  const params = isBase64 ? meta.slice(0, -1) : meta
  const mimetype = params[0] ? params.join('; ').toLowerCase() : undefined
  const payload = url.slice(comma + 1)
  let bytes: Buffer | undefined
  if (isBase64) {
    bytes = decodeBase64(payload, maxBytes, field)
    if (!bytes) throw new ValidationError(`${field}: the data URL's content is not valid base64`)
  } else {
    try {
      bytes = Buffer.from(decodeURIComponent(payload), 'utf8')
    } catch {
      throw new ValidationError(`${field}: malformed data URL (bad percent-encoding)`)
    }
  }
  if (!bytes.length) throw new ValidationError(`${field}: the data URL is empty`)
  if (bytes.length > maxBytes) throw new ValidationError(`${field}: the media is ${bytes.length} bytes, more than the limit of ${maxBytes}`)
  return { bytes, mimetype }
}

/** Fetches an http(s) URL, refusing more than `maxBytes` (by header and while reading) and stopping at the timeout. */
async function fetchMedia(url: URL, maxBytes: number, timeoutMs: number, field: string): Promise<{ bytes: Buffer; mimetype?: string; fileName?: string }> {
  const controller = new AbortController()
  const timer = setTimeout(() => controller.abort(), timeoutMs)
  timer.unref?.()
  const failed = (why: string) => new ValidationError(`${field}: could not fetch ${url.href}: ${why}`)
  try {
    let res: Response
    try {
      res = await fetch(url, { signal: controller.signal, redirect: 'follow' })
    } catch (err) {
      if (controller.signal.aborted) throw failed(`no answer within ${timeoutMs} ms`)
      const cause = (err as { cause?: { code?: string; message?: string } }).cause
      throw failed(cause?.code ?? cause?.message ?? (err as Error).message)
    }
    if (!res.ok) {
      await res.body?.cancel().catch(() => undefined)
      throw failed(`HTTP ${res.status}`)
    }
    const declaredLength = Number(res.headers.get('content-length') ?? NaN)
    if (declaredLength > maxBytes) {
      await res.body?.cancel().catch(() => undefined)
      throw new ValidationError(`${field}: the media at ${url.href} is ${declaredLength} bytes, more than the limit of ${maxBytes}`)
    }
    const chunks: Buffer[] = []
    let size = 0
    if (res.body) {
      const reader = res.body.getReader()
      try {
        for (;;) {
          const { done, value } = await reader.read()
          if (done) break
          size += value.byteLength
          if (size > maxBytes) {
            await reader.cancel().catch(() => undefined)
            throw new ValidationError(`${field}: the media at ${url.href} is more than the limit of ${maxBytes} bytes`)
          }
          chunks.push(Buffer.from(value))
        }
      } catch (err) {
        if (err instanceof ValidationError) throw err
        throw failed(controller.signal.aborted ? `no complete answer within ${timeoutMs} ms` : (err as Error).message)
      }
    }
    if (!size) throw failed('the answer was empty')
    const contentType = res.headers.get('content-type')?.toLowerCase() ?? undefined
    const segment = decodeURIComponent(url.pathname.split('/').filter(Boolean).at(-1) ?? '')
    return { bytes: Buffer.concat(chunks, size), mimetype: contentType, fileName: segment || undefined }
  } finally {
    clearTimeout(timer)
  }
}

/** Bytes and MIME type for a message of `kind` from any accepted media source. */
export async function resolveMedia(source: MediaSource, kind: MediaKind, hints: MediaHints, options: OperationOptions = {}): Promise<ResolvedMedia> {
  const maxBytes = options.maxMediaBytes ?? DEFAULT_MAX_MEDIA_BYTES
  const { field } = hints
  let bytes: Buffer
  let impliedType: string | undefined
  let fileName: string | undefined
  if (source instanceof Uint8Array) {
    bytes = Buffer.isBuffer(source) ? source : Buffer.from(source.buffer, source.byteOffset, source.byteLength)
    if (bytes.length > maxBytes) throw new ValidationError(`${field}: the media is ${bytes.length} bytes, more than the limit of ${maxBytes}`)
  } else {
    const text = source.trim()
    if (/^data:/i.test(text)) {
      ;({ bytes, mimetype: impliedType } = parseDataUrl(text, maxBytes, field))
    } else if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) {
      let url: URL
      try {
        url = new URL(text)
      } catch {
        throw new ValidationError(`${field}: malformed URL`)
      }
      if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ValidationError(`${field}: only http(s) URLs can be fetched, not ${url.protocol}`)
      ;({ bytes, mimetype: impliedType, fileName } = await fetchMedia(url, maxBytes, options.mediaFetchTimeoutMs ?? DEFAULT_MEDIA_FETCH_TIMEOUT_MS, field))
    } else {
      const decoded = decodeBase64(text, maxBytes, field)
      if (!decoded) throw new ValidationError(`${field}: not valid base64 (nor a data URL or an http(s) URL)`)
      bytes = decoded
    }
  }
  if (!bytes.length) throw new ValidationError(`${field}: the media is empty`)
  const implied = impliedType && !GENERIC_TYPES.has(baseType(impliedType)) ? impliedType : undefined
  const mimetype = chooseMimetype(kind, bytes, hints.mimetype ?? implied, field, hints.fileName ?? fileName)
  return { bytes, mimetype, ...(fileName ? { fileName } : {}) }
}
