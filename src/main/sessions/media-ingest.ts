/**
 * Media files of stored messages, saved to disk: for every image, video, audio, document or sticker message that
 * message-ingest stored (received or sent), the file is downloaded and decrypted with Baileys'
 * downloadMediaMessage into `sessions/<id>/media/<message id>.<ext>` and the message's `media_path` is set; its
 * embedded JPEG thumbnail, when it has one, goes to `sessions/<id>/thumb/<message id>.jpg`. Profile pictures are
 * cached under `sessions/<id>/profile/` by whoever fetches them (cacheProfilePicture).
 *
 * Downloads run after the message is stored and announced, a few at a time; a failure is logged and leaves the
 * message without a media path (nothing else waits for it). A redelivered message whose file is already there is
 * not downloaded again. `media_path` is relative to the data folder (`sessions/<id>/media/<name>`), so a data
 * folder can be moved; resolveMediaPath gives the absolute path.
 */
import { existsSync } from 'node:fs'
import { isAbsolute, join, relative, sep } from 'node:path'
import {
  type BaileysEventMap, type WAMessage, type WASocket, downloadMediaMessage, getContentType, jidNormalizedUser, normalizeMessageContent,
  type proto
} from '@whiskeysockets/baileys'
import type { Logger } from 'pino'
import { isSafeFileName, type MediaFolder, type Store } from '../store/index.js'

/** Message content types whose file WaDock keeps, and what kind of media each is. */
export const MEDIA_MESSAGE_TYPES = {
  imageMessage: 'image',
  videoMessage: 'video',
  ptvMessage: 'video',
  audioMessage: 'audio',
  documentMessage: 'document',
  stickerMessage: 'sticker'
} as const
export type MediaMessageType = keyof typeof MEDIA_MESSAGE_TYPES

const EXTENSIONS: Record<string, string> = {
  'image/jpeg': 'jpg', 'image/png': 'png', 'image/webp': 'webp', 'image/gif': 'gif',
  'video/mp4': 'mp4', 'video/3gpp': '3gp', 'video/quicktime': 'mov', 'video/webm': 'webm',
  'audio/ogg': 'ogg', 'audio/mpeg': 'mp3', 'audio/mp4': 'm4a', 'audio/aac': 'aac', 'audio/amr': 'amr', 'audio/wav': 'wav',
  'audio/webm': 'webm', 'application/pdf': 'pdf', 'application/zip': 'zip', 'text/plain': 'txt'
}

type MediaContent = proto.Message.IImageMessage & proto.Message.IDocumentMessage & { url?: string | null; directPath?: string | null }

/** The media part of a message (after unwrapping ephemeral, view-once and document-with-caption wrappers). */
export function mediaOf(message: WAMessage): { type: MediaMessageType; content: MediaContent } | undefined {
  const content = normalizeMessageContent(message.message)
  const type = getContentType(content ?? undefined)
  if (!content || !type || !(type in MEDIA_MESSAGE_TYPES)) return undefined
  const media = content[type] as MediaContent | null | undefined
  if (!media || (!media.url && !media.directPath)) return undefined
  return { type: type as MediaMessageType, content: media }
}

/** `<message id>.<ext>`: the extension from the MIME type, or a document's own file name, else `bin`. */
export function mediaFileName(messageId: string, type: MediaMessageType, content: MediaContent): string {
  const base = messageId.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^[^A-Za-z0-9]+/, '').slice(0, 180) || 'media'
  const mime = (content.mimetype ?? '').split(';')[0].trim().toLowerCase()
  let ext = EXTENSIONS[mime]
  if (!ext && MEDIA_MESSAGE_TYPES[type] === 'document') {
    const own = /\.([A-Za-z0-9]{1,10})$/.exec(content.fileName ?? '')?.[1]
    if (own) ext = own.toLowerCase()
  }
  if (!ext) ext = /^[a-z0-9]{1,8}$/.test(mime.split('/')[1] ?? '') ? mime.split('/')[1] : MEDIA_MESSAGE_TYPES[type] === 'sticker' ? 'webp' : 'bin'
  return `${base}.${ext}`
}

/** The data-folder-relative path stored in `media_path`. */
function relativeTo(store: Store, absolute: string): string {
  return relative(store.dataDir, absolute).split(sep).join('/')
}

/** The absolute path of a stored `media_path` (relative to the data folder; absolute paths are kept as they are). */
export function resolveMediaPath(store: Store, mediaPath: string): string {
  return isAbsolute(mediaPath) ? mediaPath : join(store.dataDir, ...mediaPath.split('/'))
}

/** `<user>_<server>.jpg` for a JID (device suffix dropped): `15551234567_s.whatsapp.net.jpg`, `1203…_g.us.jpg`. */
export function profilePictureFileName(jid: string): string {
  const name = `${jidNormalizedUser(jid).replace('@', '_')}.jpg`
  if (!isSafeFileName(name)) throw new Error(`cannot name a profile picture for ${JSON.stringify(jid)}`)
  return name
}

/** Caches a fetched profile picture under `sessions/<id>/profile/`; returns its absolute path. */
export async function cacheProfilePicture(store: Store, sessionId: string, jid: string, bytes: Uint8Array): Promise<string> {
  return store.media.writeMedia(sessionId, 'profile', profilePictureFileName(jid), bytes)
}

/** The cached profile picture's absolute path, if there is one. */
export function cachedProfilePicture(store: Store, sessionId: string, jid: string): string | undefined {
  const path = store.media.filePath(sessionId, 'profile', profilePictureFileName(jid))
  return existsSync(path) ? path : undefined
}

export interface MediaIngestOptions {
  store: Store
  logger: Logger
  /** undici dispatcher for downloads (one that trusts the simulator's media CA); Node's default otherwise */
  dispatcher?: unknown
  /** downloads running at once, across sessions (default 3) */
  concurrency?: number
}

interface Task {
  sessionId: string
  run(): Promise<void>
}

/** Queues and runs the downloads of one host's sessions. */
export class MediaIngest {
  private readonly queue: Task[] = []
  private readonly running = new Map<Promise<void>, string>()
  private readonly cancelled = new Set<string>()
  private stopped = false

  constructor(private readonly options: MediaIngestOptions) {}

  /** A socket's event batch: queues the media of every message in it that the store holds. */
  onEvents(sessionId: string, sock: WASocket, batch: Partial<BaileysEventMap>): void {
    for (const message of batch['messages.upsert']?.messages ?? []) this.enqueue(sessionId, message, sock)
  }

  /** Queues one message's media; a message the store does not hold, or whose file is saved already, is skipped. */
  enqueue(sessionId: string, message: WAMessage, sock?: Pick<WASocket, 'updateMediaMessage'>): void {
    if (this.stopped || this.cancelled.has(sessionId)) return
    const { remoteJid: chat, id } = message.key
    const media = mediaOf(message)
    if (!media || !chat || !id) return
    const record = this.options.store.messages.get(sessionId, chat, id, !!message.key.fromMe)
    if (!record) return
    if (record.mediaPath && existsSync(resolveMediaPath(this.options.store, record.mediaPath))) return
    this.queue.push({ sessionId, run: () => this.save(sessionId, message, media, sock) })
    this.pump()
  }

  private pump(): void {
    const limit = this.options.concurrency ?? 3
    while (this.running.size < limit && this.queue.length) {
      const task = this.queue.shift()!
      const done: Promise<void> = task.run().finally(() => {
        this.running.delete(done)
        this.pump()
      })
      this.running.set(done, task.sessionId)
    }
  }

  private async save(sessionId: string, message: WAMessage, media: NonNullable<ReturnType<typeof mediaOf>>, sock?: Pick<WASocket, 'updateMediaMessage'>): Promise<void> {
    const { store, logger } = this.options
    const key = message.key
    const name = mediaFileName(key.id!, media.type, media.content)
    const live = () => !this.stopped && !this.cancelled.has(sessionId)
    try {
      const thumbnail = media.content.jpegThumbnail
      if (thumbnail && thumbnail.length) await this.write(sessionId, 'thumb', `${name.replace(/\.[^.]+$/, '')}.jpg`, thumbnail)
      if (!live()) return
      const stream = await downloadMediaMessage(
        message, 'stream', { options: { dispatcher: this.options.dispatcher } as RequestInit },
        sock ? { logger: logger as any, reuploadRequest: m => sock.updateMediaMessage(m) } : undefined)
      if (!live()) {
        stream.destroy()
        return
      }
      const path = await this.write(sessionId, 'media', name, stream)
      if (!path) return
      store.messages.setMediaPath(sessionId, key.remoteJid!, key.id!, !!key.fromMe, relativeTo(store, path))
    } catch (err) {
      if (!live()) return
      logger.warn({ session: sessionId, id: key.id, chat: key.remoteJid, type: media.type, err: err instanceof Error ? err.message : String(err) },
        'media download failed')
    }
  }

  /** Writes unless the session went away meanwhile (then removes what it wrote, so no folder is resurrected). */
  private async write(sessionId: string, folder: MediaFolder, name: string, bytes: Uint8Array | AsyncIterable<Uint8Array>): Promise<string | undefined> {
    if (!this.cancelled.has(sessionId) && !this.stopped) return this.options.store.media.writeMedia(sessionId, folder, name, bytes)
    return undefined
  }

  /**
   * Drops the session's queued downloads and waits (at most `timeoutMs`) for its running ones: call before the
   * session's files are removed. Later messages of that session are ignored until `resume`.
   */
  async forget(sessionId: string, timeoutMs = 10_000): Promise<void> {
    this.cancelled.add(sessionId)
    for (let i = this.queue.length - 1; i >= 0; i--) if (this.queue[i].sessionId === sessionId) this.queue.splice(i, 1)
    const mine = [...this.running].filter(([, id]) => id === sessionId).map(([p]) => p)
    await settleWithin(mine, timeoutMs)
  }

  /** Accepts a forgotten session's media again (a session re-created with the same id). */
  resume(sessionId: string): void {
    this.cancelled.delete(sessionId)
  }

  /** Resolves once nothing is queued or running (tests, and orderly shutdown). */
  async idle(): Promise<void> {
    while (this.running.size || this.queue.length) await Promise.allSettled([...this.running.keys()])
  }

  /** Takes no more downloads, drops queued ones, and waits (at most `timeoutMs`) for running ones. */
  async stop(timeoutMs = 10_000): Promise<void> {
    this.stopped = true
    this.queue.length = 0
    await settleWithin([...this.running.keys()], timeoutMs)
  }
}

async function settleWithin(promises: Promise<unknown>[], timeoutMs: number): Promise<void> {
  if (!promises.length) return
  let timer: NodeJS.Timeout | undefined
  await Promise.race([
    Promise.allSettled(promises),
    new Promise<void>(resolve => { timer = setTimeout(resolve, timeoutMs) })
  ])
  clearTimeout(timer)
}
