/**
 * The inputs and results of the host's operations (messages, media, presence, contacts, groups). The REST API and
 * every dialect validate requests with these same schemas and build the OpenAPI document from them; the host
 * operations validate again, so a caller that skips the REST layer gets the same errors.
 *
 * Addresses: a phone number is 7–15 digits, the first not 0, and may be written with `+`, spaces, dashes and
 * parentheses (`+1 555-000-1234`) or as a JID (`15550001234@s.whatsapp.net`, `…@c.us`). Groups are `…@g.us`, LIDs
 * `…@lid`. Media is given as bytes (a Uint8Array or Buffer, in-process callers), or as a string: base64, a data URL
 * (`data:image/png;base64,…`) or an http(s) URL that the host fetches.
 *
 * No Node or Electron imports here: the renderer may use these too.
 */
import { z } from 'zod'

// --- addresses ---------------------------------------------------------------------------------------------------

export type AddressKind = 'phone' | 'group' | 'lid'
export interface ParsedAddress {
  kind: AddressKind
  /** the WhatsApp JID: `<digits>@s.whatsapp.net`, `<id>@g.us` or `<digits>@lid` */
  jid: string
}

const PHONE_DIGITS = /^[1-9][0-9]{6,14}$/
const GROUP_ID = /^[0-9]{5,}(-[0-9]+)?$/
const LID_USER = /^[0-9]{1,24}$/

/** Parses a phone number, a phone-number JID, a group JID or a LID; undefined when it is none of them. */
export function parseAddress(input: string): ParsedAddress | undefined {
  const value = input.trim()
  const at = value.lastIndexOf('@')
  if (at >= 0) {
    const user = value.slice(0, at)
    const server = value.slice(at + 1).toLowerCase()
    if (server === 's.whatsapp.net' || server === 'c.us') return PHONE_DIGITS.test(user) ? { kind: 'phone', jid: `${user}@s.whatsapp.net` } : undefined
    if (server === 'g.us') return GROUP_ID.test(user) ? { kind: 'group', jid: `${user}@g.us` } : undefined
    if (server === 'lid') return LID_USER.test(user) ? { kind: 'lid', jid: `${user}@lid` } : undefined
    return undefined
  }
  const digits = value.replace(/[\s()+-]/g, '')
  return PHONE_DIGITS.test(digits) ? { kind: 'phone', jid: `${digits}@s.whatsapp.net` } : undefined
}

/** The digits of a phone number or phone-number JID; undefined for anything else. */
export function phoneDigits(input: string): string | undefined {
  const parsed = parseAddress(input)
  return parsed?.kind === 'phone' ? parsed.jid.split('@')[0] : undefined
}

const PHONE_TEXT = 'a phone number with 7 to 15 digits ("+", spaces and dashes allowed)'
const address = (kinds: AddressKind[], description: string) =>
  z.string().trim().min(1).max(128)
    .refine(v => { const a = parseAddress(v); return !!a && kinds.includes(a.kind) }, `must be ${description}`)
    .describe(description)

/** Where a message can go: a person (number or LID) or a group. */
export const chatAddressSchema = address(['phone', 'group', 'lid'], `${PHONE_TEXT}, a group JID (…@g.us) or a LID (…@lid)`)
/** A person: a phone number or a LID. */
export const userAddressSchema = address(['phone', 'lid'], `${PHONE_TEXT} or a LID (…@lid)`)
export const phoneNumberSchema = address(['phone'], PHONE_TEXT)
export const groupJidSchema = address(['group'], 'a group JID (…@g.us)')

export const messageIdSchema = z.string().trim().min(1).max(128).regex(/^[A-Za-z0-9._:-]+$/, 'must be a message id (letters, digits, ".", "_", ":" and "-")')
  .describe('a WhatsApp message id')

// --- media -------------------------------------------------------------------------------------------------------

/** Bytes (in-process callers) or a string: base64, a data URL, or an http(s) URL. */
export const mediaSourceSchema = z.union([
  z.custom<Uint8Array>(v => v instanceof Uint8Array, 'must be bytes'),
  z.string().min(1, 'must not be empty')
]).describe('base64, a data URL (data:<mimetype>;base64,…) or an http(s) URL to fetch')
export type MediaSource = z.infer<typeof mediaSourceSchema>

const mimetypeSchema = z.string().trim().toLowerCase().max(255)
  .regex(/^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+(\s*;\s*[a-z0-9!#$&^_.+-]+=("[^"]*"|[^;\s]*))*$/, 'must be a MIME type such as image/jpeg')
const captionSchema = z.string().max(4096)
const mentionsSchema = z.array(userAddressSchema).max(1024).describe('people to mention (their numbers or LIDs)')

// --- messages ----------------------------------------------------------------------------------------------------

const base = {
  to: chatAddressSchema,
  /** quote a stored message */
  replyTo: messageIdSchema.optional().describe('the id of a stored message to quote'),
  /** the new message's id, when the caller chooses it (default: generated as WhatsApp's apps do) */
  messageId: messageIdSchema.optional().describe('the id to give the new message (default: generated)')
}

export const sendTextInputSchema = z.object({
  ...base,
  text: z.string().min(1, 'must not be empty').max(65_536),
  mentions: mentionsSchema.optional()
})
export const sendImageInputSchema = z.object({
  ...base,
  image: mediaSourceSchema,
  mimetype: mimetypeSchema.optional(),
  caption: captionSchema.optional(),
  mentions: mentionsSchema.optional()
})
export const sendVideoInputSchema = z.object({
  ...base,
  video: mediaSourceSchema,
  mimetype: mimetypeSchema.optional(),
  caption: captionSchema.optional(),
  /** play as a looping GIF */
  gifPlayback: z.boolean().optional(),
  mentions: mentionsSchema.optional()
})
export const sendAudioInputSchema = z.object({
  ...base,
  audio: mediaSourceSchema,
  mimetype: mimetypeSchema.optional(),
  /** send as a voice note (push-to-talk) */
  ptt: z.boolean().optional()
})
/** A voice note: audio sent as push-to-talk (OGG/Opus is what WhatsApp's own apps record). */
export const sendVoiceInputSchema = sendAudioInputSchema.omit({ ptt: true })
export const sendDocumentInputSchema = z.object({
  ...base,
  document: mediaSourceSchema,
  /** shown to the recipient; default: the URL's last path segment, or "file" */
  fileName: z.string().trim().min(1).max(255).optional(),
  mimetype: mimetypeSchema.optional(),
  caption: captionSchema.optional()
})
export const sendStickerInputSchema = z.object({
  ...base,
  sticker: mediaSourceSchema.describe('a WebP image: base64, a data URL or an http(s) URL')
})
export const sendLocationInputSchema = z.object({
  ...base,
  latitude: z.number().min(-90).max(90),
  longitude: z.number().min(-180).max(180),
  name: z.string().max(1024).optional(),
  address: z.string().max(1024).optional()
})
export const sendContactInputSchema = z.object({
  ...base,
  contact: z.object({
    name: z.string().trim().min(1).max(256),
    phone: phoneNumberSchema,
    organization: z.string().trim().max(256).optional()
  }),
  /** a complete vCard to send as it is, instead of one built from `contact` */
  vcard: z.string().max(65_536).regex(/^BEGIN:VCARD\r?\n[\s\S]*END:VCARD\s*$/, 'must be a vCard (BEGIN:VCARD … END:VCARD)').optional()
})
/**
 * Operations on a stored message. `chat`, when given, must be the chat the message is in (its phone number, LID or
 * group); without it the message is found by id alone.
 */
const targetMessage = {
  chat: chatAddressSchema.optional(),
  messageId: messageIdSchema
}
export const sendReactionInputSchema = z.object({
  ...targetMessage,
  /** one emoji; an empty string removes an earlier reaction */
  emoji: z.string().max(32)
})
export const editMessageInputSchema = z.object({
  ...targetMessage,
  text: z.string().min(1, 'must not be empty').max(65_536)
})
export const revokeMessageInputSchema = z.object(targetMessage)
export const markReadInputSchema = z.object({
  chat: chatAddressSchema,
  messageIds: z.array(messageIdSchema).min(1).max(1024)
})

/** What a send returns. Timestamps are WhatsApp's: seconds since the epoch. */
export const sentMessageSchema = z.object({
  id: z.string(),
  /** the chat's JID */
  chat: z.string(),
  timestamp: z.number(),
  /** Baileys' content type: extendedTextMessage, imageMessage, reactionMessage, protocolMessage (edit, revoke)… */
  type: z.string(),
  /** for reactions, edits and revokes: the message they act on */
  targetId: z.string().optional()
})
export type SentMessage = z.infer<typeof sentMessageSchema>

export const markReadResultSchema = z.object({ chat: z.string(), messageIds: z.array(z.string()) })
export type MarkReadResult = z.infer<typeof markReadResultSchema>

/** The media of a stored message. `bytes` is binary: the REST layer sends it as the body. */
export interface DownloadedMedia {
  bytes: Buffer
  mimetype: string
  fileName?: string
  size: number
}

// --- presence ----------------------------------------------------------------------------------------------------

export const setPresenceInputSchema = z.object({ presence: z.enum(['available', 'unavailable']) })
export const sendChatStateInputSchema = z.object({
  chat: chatAddressSchema,
  state: z.enum(['composing', 'recording', 'paused'])
})

// --- contacts ----------------------------------------------------------------------------------------------------

export const checkNumbersInputSchema = z.object({ numbers: z.array(phoneNumberSchema).min(1).max(100) })
export const numberCheckSchema = z.object({
  /** the number's digits */
  number: z.string(),
  exists: z.boolean(),
  /** the account's JID when it exists */
  jid: z.string().nullable()
})
export type NumberCheck = z.infer<typeof numberCheckSchema>

export const userInfoInputSchema = z.object({ user: userAddressSchema })
export const userInfoSchema = z.object({
  /** the JID asked about */
  jid: z.string(),
  /** phone-number JID and LID, when known (from the store, else from Baileys' LID mapping) */
  phoneNumber: z.string().nullable(),
  lid: z.string().nullable(),
  /** the name in the address book, and the push name the user chose */
  name: z.string().nullable(),
  pushName: z.string().nullable(),
  /** the about text ("status"), and when it was set (seconds since the epoch) */
  about: z.string().nullable(),
  aboutSetAt: z.number().nullable(),
  pictureUrl: z.string().nullable()
})
export type UserInfo = z.infer<typeof userInfoSchema>

export const avatarInputSchema = z.object({
  chat: chatAddressSchema,
  type: z.enum(['image', 'preview']).default('image')
})
export const avatarSchema = z.object({ chat: z.string(), url: z.string() })
export type Avatar = z.infer<typeof avatarSchema>

export const contactSchema = z.object({
  jid: z.string(),
  phoneNumber: z.string().nullable(),
  lid: z.string().nullable(),
  name: z.string().nullable(),
  pushName: z.string().nullable()
})
export type Contact = z.infer<typeof contactSchema>

// --- groups ------------------------------------------------------------------------------------------------------

const subjectSchema = z.string().trim().min(1, 'must not be empty').max(100)
export const groupInputSchema = z.object({ group: groupJidSchema })
export const createGroupInputSchema = z.object({
  subject: subjectSchema,
  participants: z.array(userAddressSchema).min(1).max(1024)
})
export const groupInviteInputSchema = z.object({
  group: groupJidSchema,
  /** revoke the current link and make a new one */
  reset: z.boolean().optional()
})
export const setGroupSubjectInputSchema = z.object({ group: groupJidSchema, subject: subjectSchema })
/** An empty description removes it. */
export const setGroupDescriptionInputSchema = z.object({ group: groupJidSchema, description: z.string().max(2048) })
export const setGroupPictureInputSchema = z.object({
  group: groupJidSchema,
  image: mediaSourceSchema,
  mimetype: mimetypeSchema.optional()
})
export const GROUP_PARTICIPANT_ACTIONS = ['add', 'remove', 'promote', 'demote'] as const
export const groupParticipantsInputSchema = z.object({
  group: groupJidSchema,
  action: z.enum(GROUP_PARTICIPANT_ACTIONS),
  participants: z.array(userAddressSchema).min(1).max(1024)
})
export const groupSettingsInputSchema = z.object({
  group: groupJidSchema,
  /** only admins may send messages */
  announce: z.boolean().optional(),
  /** only admins may change the group's subject, description and picture */
  locked: z.boolean().optional()
}).refine(v => v.announce !== undefined || v.locked !== undefined, 'give announce, locked or both')

export const groupParticipantSchema = z.object({
  jid: z.string(),
  phoneNumber: z.string().nullable(),
  lid: z.string().nullable(),
  admin: z.enum(['admin', 'superadmin']).nullable()
})
export const groupInfoSchema = z.object({
  id: z.string(),
  subject: z.string(),
  subjectOwner: z.string().nullable(),
  subjectTime: z.number().nullable(),
  description: z.string().nullable(),
  owner: z.string().nullable(),
  /** seconds since the epoch */
  creation: z.number().nullable(),
  size: z.number(),
  announce: z.boolean(),
  locked: z.boolean(),
  addressingMode: z.enum(['pn', 'lid']).nullable(),
  participants: z.array(groupParticipantSchema)
})
export type GroupInfo = z.infer<typeof groupInfoSchema>

export const groupInviteSchema = z.object({ group: z.string(), code: z.string(), link: z.string() })
export type GroupInvite = z.infer<typeof groupInviteSchema>

export const participantResultSchema = z.object({
  /** the participant's JID as sent */
  participant: z.string(),
  /** WhatsApp's status for this participant: 200 done, 403 refused, 404 not on WhatsApp or not in the group, 409 already in it */
  status: z.number(),
  ok: z.boolean()
})
export const groupParticipantsResultSchema = z.object({
  group: z.string(),
  action: z.enum(GROUP_PARTICIPANT_ACTIONS),
  results: z.array(participantResultSchema)
})
export type GroupParticipantsResult = z.infer<typeof groupParticipantsResultSchema>

export const groupSettingsSchema = z.object({ group: z.string(), announce: z.boolean().optional(), locked: z.boolean().optional() })
export type GroupSettings = z.infer<typeof groupSettingsSchema>
