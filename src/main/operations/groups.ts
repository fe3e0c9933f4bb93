/**
 * Groups: list, create, inspect, invite link, subject, description, picture, participants, settings, leave.
 * WhatsApp decides who may do what: a refusal (403, not an admin) is an OperationError, an unknown group 404.
 */
import type { GroupMetadata, WASocket } from '@whiskeysockets/baileys'
import type { z } from 'zod'
import {
  createGroupInputSchema, type GroupInfo, groupInputSchema, type GroupInvite, groupInviteInputSchema, groupParticipantsInputSchema,
  type GroupParticipantsResult, type GroupSettings, groupSettingsInputSchema, setGroupDescriptionInputSchema, setGroupPictureInputSchema,
  setGroupSubjectInputSchema
} from '../../shared/operations.js'
import { OperationError } from '../errors.js'
import { linkedSocket, normalizeJid, type OperationOptions, type OperationsHost, parseInput, toJid, whatsapp } from './common.js'
import { resolveMedia } from './media-input.js'

export const INVITE_LINK_PREFIX = 'https://chat.whatsapp.com/'

const jidOrNull = (jid: string | undefined | null) => (jid ? normalizeJid(jid) : null)

export function groupInfoOf(meta: GroupMetadata): GroupInfo {
  return {
    id: meta.id,
    subject: meta.subject ?? '',
    subjectOwner: jidOrNull(meta.subjectOwner),
    subjectTime: meta.subjectTime || null,
    description: meta.desc ?? null,
    owner: jidOrNull(meta.owner),
    creation: meta.creation || null,
    size: meta.size ?? meta.participants.length,
    announce: !!meta.announce,
    locked: !!meta.restrict,
    addressingMode: meta.addressingMode === 'lid' ? 'lid' : meta.addressingMode === 'pn' ? 'pn' : null,
    participants: meta.participants.map(p => ({
      jid: p.id,
      phoneNumber: p.phoneNumber ?? (p.id.endsWith('@s.whatsapp.net') ? p.id : null),
      lid: p.lid ?? (p.id.endsWith('@lid') ? p.id : null),
      admin: p.admin === 'admin' || p.admin === 'superadmin' ? p.admin : null
    }))
  }
}

const groupNotFound = (group: string) => `group ${group} not found`

function groupSocket(host: OperationsHost, sessionId: string, group: string): { sock: WASocket; jid: string } {
  const sock = linkedSocket(host, sessionId)
  return { sock, jid: toJid(group) }
}

/** Every group the session's account is in. */
export async function listGroups(host: OperationsHost, sessionId: string): Promise<GroupInfo[]> {
  const sock = linkedSocket(host, sessionId)
  const groups = await whatsapp('list the groups', () => sock.groupFetchAllParticipating())
  return Object.values(groups).map(groupInfoOf)
}

export async function createGroup(host: OperationsHost, sessionId: string, input: z.input<typeof createGroupInputSchema>): Promise<GroupInfo> {
  const i = parseInput(createGroupInputSchema, input)
  const sock = linkedSocket(host, sessionId)
  const participants = [...new Set(i.participants.map(toJid))]
  return groupInfoOf(await whatsapp('create the group', () => sock.groupCreate(i.subject, participants)))
}

export async function getGroupInfo(host: OperationsHost, sessionId: string, input: z.input<typeof groupInputSchema>): Promise<GroupInfo> {
  const i = parseInput(groupInputSchema, input)
  const { sock, jid } = groupSocket(host, sessionId, i.group)
  return groupInfoOf(await whatsapp('get the group', () => sock.groupMetadata(jid), groupNotFound(jid)))
}

/** The group's invite link; `reset` revokes the current one first (admins only). */
export async function getGroupInviteLink(host: OperationsHost, sessionId: string, input: z.input<typeof groupInviteInputSchema>): Promise<GroupInvite> {
  const i = parseInput(groupInviteInputSchema, input)
  const { sock, jid } = groupSocket(host, sessionId, i.group)
  const code = i.reset
    ? await whatsapp('reset the invite link', () => sock.groupRevokeInvite(jid), groupNotFound(jid))
    : await whatsapp('get the invite link', () => sock.groupInviteCode(jid), groupNotFound(jid))
  if (!code) throw new OperationError('could not get the invite link: WhatsApp gave no code')
  return { group: jid, code, link: `${INVITE_LINK_PREFIX}${code}` }
}

export async function setGroupSubject(host: OperationsHost, sessionId: string, input: z.input<typeof setGroupSubjectInputSchema>): Promise<{ group: string; subject: string }> {
  const i = parseInput(setGroupSubjectInputSchema, input)
  const { sock, jid } = groupSocket(host, sessionId, i.group)
  await whatsapp('set the subject', () => sock.groupUpdateSubject(jid, i.subject), groupNotFound(jid))
  return { group: jid, subject: i.subject }
}

/** Sets the description; an empty one removes it. */
export async function setGroupDescription(host: OperationsHost, sessionId: string, input: z.input<typeof setGroupDescriptionInputSchema>): Promise<{ group: string; description: string | null }> {
  const i = parseInput(setGroupDescriptionInputSchema, input)
  const { sock, jid } = groupSocket(host, sessionId, i.group)
  const description = i.description.trim() ? i.description : undefined
  await whatsapp('set the description', () => sock.groupUpdateDescription(jid, description), groupNotFound(jid))
  return { group: jid, description: description ?? null }
}

/** Sets the group's picture (admins only); Baileys re-encodes it to a 640×640 JPEG, which needs sharp or jimp. */
export async function setGroupPicture(host: OperationsHost, sessionId: string, input: z.input<typeof setGroupPictureInputSchema>, options: OperationOptions = {}): Promise<{ group: string }> {
  const i = parseInput(setGroupPictureInputSchema, input)
  const { sock, jid } = groupSocket(host, sessionId, i.group)
  const media = await resolveMedia(i.image, 'image', { field: 'image', mimetype: i.mimetype }, options)
  await whatsapp('set the group picture', () => sock.updateProfilePicture(jid, media.bytes), groupNotFound(jid))
  return { group: jid }
}

/**
 * Adds, removes, promotes or demotes participants (admins only). WhatsApp answers per participant: the result lists
 * each with its status (200 done; 403 refused; 404 not on WhatsApp, or not in the group; 409 already in it).
 */
export async function updateGroupParticipants(host: OperationsHost, sessionId: string, input: z.input<typeof groupParticipantsInputSchema>): Promise<GroupParticipantsResult> {
  const i = parseInput(groupParticipantsInputSchema, input)
  const { sock, jid } = groupSocket(host, sessionId, i.group)
  const participants = [...new Set(i.participants.map(toJid))]
  const answered = await whatsapp(`${i.action} participants`, () => sock.groupParticipantsUpdate(jid, participants, i.action), groupNotFound(jid))
  return {
    group: jid,
    action: i.action,
    results: participants.map((participant, index) => {
      // WhatsApp names each participant as asked; in LID groups it may answer with the LID, in the same order
      const hit = answered.find(a => a.jid && normalizeJid(a.jid) === participant) ??
        (answered.length === participants.length ? answered[index] : undefined)
      const status = hit ? Number(hit.status) || 500 : 500
      return { participant, status, ok: status === 200 }
    })
  }
}

export async function leaveGroup(host: OperationsHost, sessionId: string, input: z.input<typeof groupInputSchema>): Promise<{ group: string; left: true }> {
  const i = parseInput(groupInputSchema, input)
  const { sock, jid } = groupSocket(host, sessionId, i.group)
  await whatsapp('leave the group', () => sock.groupLeave(jid), groupNotFound(jid))
  return { group: jid, left: true }
}

/** Announce (only admins send) and locked (only admins edit the group's info), each on or off (admins only). */
export async function updateGroupSettings(host: OperationsHost, sessionId: string, input: z.input<typeof groupSettingsInputSchema>): Promise<GroupSettings> {
  const i = parseInput(groupSettingsInputSchema, input)
  const { sock, jid } = groupSocket(host, sessionId, i.group)
  if (i.announce !== undefined) {
    const setting = i.announce ? 'announcement' : 'not_announcement'
    await whatsapp('change the group settings', () => sock.groupSettingUpdate(jid, setting), groupNotFound(jid))
  }
  if (i.locked !== undefined) {
    const setting = i.locked ? 'locked' : 'unlocked'
    await whatsapp('change the group settings', () => sock.groupSettingUpdate(jid, setting), groupNotFound(jid))
  }
  return { group: jid, ...(i.announce !== undefined ? { announce: i.announce } : {}), ...(i.locked !== undefined ? { locked: i.locked } : {}) }
}
