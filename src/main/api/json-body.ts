/**
 * Reads a JSON request body: capped (413 as soon as the cap is passed, before reading on when Content-Length says
 * so), UTF-8, gzip/deflate/br bodies inflated under the same cap, and strict (an object or an array at the top, as
 * every route takes). Every failure is an ApiError in the API's shape. It replaces a general-purpose body parser on
 * the native API's hot path: the same answers, a fraction of the work per request.
 */
import type { IncomingMessage } from 'node:http'
import type { Readable } from 'node:stream'
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib'
import { ApiError } from './errors.js'

const DECODERS: Record<string, () => Readable & NodeJS.WritableStream> = {
  gzip: createGunzip, 'x-gzip': createGunzip, deflate: createInflate, br: createBrotliDecompress
}

export function readJsonBody(req: IncomingMessage, limit: number, limitText: string): Promise<unknown> {
  const tooLarge = () => new ApiError('payload_too_large', `the request body is larger than ${limitText}`)
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(req.headers['content-type'] ?? '')?.[1]?.toLowerCase()
  if (charset && charset !== 'utf-8' && charset !== 'utf8') {
    return Promise.reject(new ApiError('unsupported_media_type', `unsupported charset "${charset.toUpperCase()}"`))
  }
  const encoding = (req.headers['content-encoding'] ?? 'identity').trim().toLowerCase()
  const decoder = encoding === 'identity' ? undefined : DECODERS[encoding]
  if (encoding !== 'identity' && !decoder) return Promise.reject(new ApiError('unsupported_media_type', `unsupported content encoding "${encoding}"`))
  const declared = Number(req.headers['content-length'])
  if (!decoder && Number.isFinite(declared) && declared > limit) return Promise.reject(tooLarge())

  return new Promise((resolve, reject) => {
    const source: Readable = decoder ? req.pipe(decoder()) : req
    const chunks: Buffer[] = []
    let size = 0
    let settled = false
    const fail = (err: ApiError) => {
      if (settled) return
      settled = true
      if (decoder) {
        req.unpipe()
        source.destroy()
      }
      // what is left of the body is not read: the answer goes out at once and the connection is not reused
      req.pause()
      reject(err)
    }
    source.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size > limit) fail(tooLarge())
      else if (!settled) chunks.push(chunk)
    })
    source.on('error', () => fail(decoder ? new ApiError('bad_request', `the request body is not valid ${encoding}`) : new ApiError('bad_request', 'the request was aborted')))
    req.on('aborted', () => fail(new ApiError('bad_request', 'the request was aborted')))
    source.on('end', () => {
      if (settled) return
      settled = true
      let text = Buffer.concat(chunks, size).toString('utf8')
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1)
      const first = /^[ \t\n\r]*(.)/.exec(text)?.[1]
      if (first !== '{' && first !== '[') {
        reject(new ApiError('invalid_json', 'the request body is not valid JSON'))
        return
      }
      try {
        resolve(JSON.parse(text))
      } catch {
        reject(new ApiError('invalid_json', 'the request body is not valid JSON'))
      }
    })
  })
}
