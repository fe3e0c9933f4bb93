/**
 * The media of a stored message: from the session's media folder when an earlier download cached it there, else
 * downloaded from WhatsApp's media servers with the stored message's keys (and a re-upload request when the session
 * is connected and the file expired). Needs no connection otherwise.
 */
import { readFile } from 'node:fs/promises'
import { isAbsolute, join } from 'node:path'
import { downloadMediaMessage, extractMessageContent, getContentType, type WAMessage } from '@whiskeysockets/baileys'
import { type DownloadedMedia, messageIdSchema } from '../../shared/operations.js'
import { NotFoundError, OperationError, ValidationError, WaDockError } from '../errors.js'
import { findStoredMessage, type OperationsHost, parseInput } from './common.js'
import { sniffMimetype } from './media-input.js'

const MEDIA_TYPES = new Set(['imageMessage', 'videoMessage', 'audioMessage', 'documentMessage', 'stickerMessage', 'ptvMessage'])
const DEFAULT_TYPES: Record<string, string> = {
  imageMessage: 'image/jpeg', videoMessage: 'video/mp4', ptvMessage: 'video/mp4', audioMessage: 'audio/ogg; codecs=opus',
  stickerMessage: 'image/webp', documentMessage: 'application/octet-stream'
}

interface MediaContent { mimetype?: string | null; fileName?: string | null; url?: string | null; directPath?: string | null }

/** The media part of a message, or undefined when it carries none. */
export function mediaOf(msg: WAMessage): { type: string; media: MediaContent } | undefined {
  const content = extractMessageContent(msg.message)
  const type = getContentType(content ?? undefined)
  if (!type || !MEDIA_TYPES.has(type)) return undefined
  const media = (content as Record<string, MediaContent | undefined>)[type]
  return media && (media.url || media.directPath) ? { type, media } : undefined
}

export async function downloadMessageMedia(host: OperationsHost, sessionId: string, messageId: string): Promise<DownloadedMedia> {
  const id = parseInput(messageIdSchema, messageId)
  const session = host.sessions.get(sessionId)
  const msg = findStoredMessage(host, sessionId, id)
  const found = mediaOf(msg)
  if (!found) throw new ValidationError(`message ${id} has no media`)
  const { type, media } = found
  const row = msg.key.remoteJid ? host.store.messages.get(sessionId, msg.key.remoteJid, id, !!msg.key.fromMe) : undefined
  if (row?.revokedAt) throw new NotFoundError(`message ${id} was deleted by its sender`)
  let bytes: Buffer | undefined
  // media paths are stored relative to the data folder (older rows may hold absolute ones)
  if (row?.mediaPath) {
    const path = isAbsolute(row.mediaPath) ? row.mediaPath : join(host.store.dataDir, ...row.mediaPath.split('/'))
    bytes = await readFile(path).catch(() => undefined)
  }
  if (!bytes) {
    const sock = session.socket
    try {
      bytes = await downloadMediaMessage(
        msg,
        'buffer',
        host.mediaDispatcher ? { options: { dispatcher: host.mediaDispatcher } as RequestInit } : {},
        sock ? { logger: host.logger as any, reuploadRequest: sock.updateMediaMessage } : undefined
      )
    } catch (err) {
      if (err instanceof WaDockError) throw err
      const status = (err as { status?: number; output?: { statusCode?: number } }).status ?? (err as { output?: { statusCode?: number } }).output?.statusCode
      throw new OperationError(`could not download the media of message ${id}: ${(err as Error).message}${status ? ` (${status})` : ''}`)
    }
  }
  const mimetype = media.mimetype || sniffMimetype(bytes) || DEFAULT_TYPES[type]
  return { bytes, mimetype, ...(media.fileName ? { fileName: media.fileName } : {}), size: bytes.length }
}
