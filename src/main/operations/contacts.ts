/** Who is on WhatsApp, what a user shows (about text, picture, LID ↔ phone number), and the stored contacts. */
import type { WASocket } from '@whiskeysockets/baileys'
import type { z } from 'zod'
import {
  type Avatar, avatarInputSchema, checkNumbersInputSchema, type Contact, type NumberCheck, phoneDigits, type UserInfo,
  userInfoInputSchema
} from '../../shared/operations.js'
import { NotFoundError } from '../errors.js'
import { linkedSocket, normalizeJid, type OperationsHost, parseInput, resolveRecipient, toJid, whatsapp } from './common.js'

/** Which of `numbers` have a WhatsApp account, in the order given (duplicates answered once each). */
export async function checkNumbers(host: OperationsHost, sessionId: string, input: z.input<typeof checkNumbersInputSchema>): Promise<NumberCheck[]> {
  const i = parseInput(checkNumbersInputSchema, input)
  const sock = linkedSocket(host, sessionId)
  const digits = [...new Set(i.numbers.map(n => phoneDigits(n)!))]
  const found = (await whatsapp('check the numbers', () => sock.onWhatsApp(...digits.map(d => `${d}@s.whatsapp.net`)))) ?? []
  return digits.map(number => {
    const hit = found.find(f => f.exists && f.jid.split('@')[0].split(':')[0] === number)
    return { number, exists: !!hit, jid: hit ? normalizeJid(hit.jid) : null }
  })
}

async function lidMapping(sock: WASocket, direction: 'lid' | 'pn', jid: string): Promise<string | null> {
  try {
    const mapping = sock.signalRepository.lidMapping
    const other = direction === 'lid' ? await mapping.getLIDForPN(jid) : await mapping.getPNForLID(jid)
    return other ? normalizeJid(other) : null
  } catch {
    return null
  }
}

/**
 * What WhatsApp and the store know of a user. A phone number must be on WhatsApp (NotFoundError otherwise); the about
 * text and picture are null when the user has none or hides them.
 */
export async function getUserInfo(host: OperationsHost, sessionId: string, input: z.input<typeof userInfoInputSchema>): Promise<UserInfo> {
  const i = parseInput(userInfoInputSchema, input)
  const sock = linkedSocket(host, sessionId)
  let jid = toJid(i.user)
  const isLid = jid.endsWith('@lid')
  if (!isLid) jid = await resolveRecipient(sock, jid)
  const contact = isLid ? host.store.contacts.findByLid(sessionId, jid) : host.store.contacts.findByPn(sessionId, jid)
  const phoneNumber = isLid ? (contact?.phoneNumber ?? await lidMapping(sock, 'pn', jid)) : jid
  const lid = isLid ? jid : (contact?.lid ?? await lidMapping(sock, 'lid', jid))
  const [status, pictureUrl] = await Promise.all([
    sock.fetchStatus(jid).then(list => list?.[0]?.status as { status?: string | null; setAt?: Date } | undefined, () => undefined),
    sock.profilePictureUrl(jid, 'image').then(url => url ?? null, () => null)
  ])
  const setAt = status?.setAt ? Math.floor(status.setAt.getTime() / 1000) : null
  return {
    jid,
    phoneNumber,
    lid,
    name: contact?.name ?? null,
    pushName: contact?.notify ?? null,
    about: status?.status ?? null,
    aboutSetAt: status?.status != null && setAt ? setAt : null,
    pictureUrl
  }
}

/** The URL of a user's or group's profile picture; NotFoundError when there is none (or it is hidden). */
export async function getAvatar(host: OperationsHost, sessionId: string, input: z.input<typeof avatarInputSchema>): Promise<Avatar> {
  const i = parseInput(avatarInputSchema, input)
  const sock = linkedSocket(host, sessionId)
  const chat = toJid(i.chat)
  const url = await whatsapp('get the profile picture', () => sock.profilePictureUrl(chat, i.type), `${chat} has no profile picture`)
  if (!url) throw new NotFoundError(`${chat} has no profile picture`)
  return { chat, url }
}

/** The contacts the session's store knows (from messages, pushes and LID mappings). Needs no connection. */
export async function listContacts(host: OperationsHost, sessionId: string): Promise<Contact[]> {
  host.sessions.get(sessionId)
  return host.store.contacts.list(sessionId).map(c => ({
    jid: c.jid,
    phoneNumber: c.phoneNumber ?? (c.jid.endsWith('@s.whatsapp.net') ? c.jid : null),
    lid: c.lid ?? (c.jid.endsWith('@lid') ? c.jid : null),
    name: c.name,
    pushName: c.notify
  }))
}
