/**
 * The host's operations: what the REST API (v1 and every dialect) calls. Each takes `(host, sessionId, input)`,
 * validates `input` with its schema from src/shared/operations.ts, and fails with the typed errors of ../errors.ts:
 * ValidationError (400) for bad input, NotFoundError (404) for an unknown session, message, group or number,
 * ConflictError (409) when the session is not linked, OperationError (422) when WhatsApp refuses. Results are plain
 * JSON-able objects (the one exception: downloaded media carries a Buffer).
 *
 * `createOperations(host, options)` binds them to one host, grouped by area.
 */
import type { z } from 'zod'
import type * as schemas from '../../shared/operations.js'
import type { OperationOptions, OperationsHost } from './common.js'
import { checkNumbers, getAvatar, getUserInfo, listContacts } from './contacts.js'
import {
  createGroup, getGroupInfo, getGroupInviteLink, leaveGroup, listGroups, setGroupDescription, setGroupPicture, setGroupSubject,
  updateGroupParticipants, updateGroupSettings
} from './groups.js'
import { downloadMessageMedia } from './media.js'
import { downloadMediaDescriptor, type mediaDescriptorInputSchema } from './media-download.js'
import {
  editMessage, markRead, revokeMessage, sendAudio, sendContact, sendDocument, sendImage, sendLocation, sendReaction, sendSticker,
  sendText, sendVideo, sendVoice
} from './messages.js'
import { sendChatState, setPresence } from './presence.js'

type In<S extends z.ZodType> = z.input<S>

export function createOperations(host: OperationsHost, options: OperationOptions = {}) {
  return {
    messages: {
      sendText: (sessionId: string, input: In<typeof schemas.sendTextInputSchema>) => sendText(host, sessionId, input, options),
      sendImage: (sessionId: string, input: In<typeof schemas.sendImageInputSchema>) => sendImage(host, sessionId, input, options),
      sendVideo: (sessionId: string, input: In<typeof schemas.sendVideoInputSchema>) => sendVideo(host, sessionId, input, options),
      sendAudio: (sessionId: string, input: In<typeof schemas.sendAudioInputSchema>) => sendAudio(host, sessionId, input, options),
      sendVoice: (sessionId: string, input: In<typeof schemas.sendVoiceInputSchema>) => sendVoice(host, sessionId, input, options),
      sendDocument: (sessionId: string, input: In<typeof schemas.sendDocumentInputSchema>) => sendDocument(host, sessionId, input, options),
      sendSticker: (sessionId: string, input: In<typeof schemas.sendStickerInputSchema>) => sendSticker(host, sessionId, input, options),
      sendLocation: (sessionId: string, input: In<typeof schemas.sendLocationInputSchema>) => sendLocation(host, sessionId, input, options),
      sendContact: (sessionId: string, input: In<typeof schemas.sendContactInputSchema>) => sendContact(host, sessionId, input, options),
      sendReaction: (sessionId: string, input: In<typeof schemas.sendReactionInputSchema>) => sendReaction(host, sessionId, input, options),
      edit: (sessionId: string, input: In<typeof schemas.editMessageInputSchema>) => editMessage(host, sessionId, input, options),
      revoke: (sessionId: string, input: In<typeof schemas.revokeMessageInputSchema>) => revokeMessage(host, sessionId, input, options),
      markRead: (sessionId: string, input: In<typeof schemas.markReadInputSchema>) => markRead(host, sessionId, input),
      downloadMedia: (sessionId: string, messageId: string) => downloadMessageMedia(host, sessionId, messageId),
      downloadMediaDescriptor: (sessionId: string, input: In<typeof mediaDescriptorInputSchema>) => downloadMediaDescriptor(host, sessionId, input, options)
    },
    presence: {
      set: (sessionId: string, input: In<typeof schemas.setPresenceInputSchema>) => setPresence(host, sessionId, input),
      sendChatState: (sessionId: string, input: In<typeof schemas.sendChatStateInputSchema>) => sendChatState(host, sessionId, input)
    },
    contacts: {
      checkNumbers: (sessionId: string, input: In<typeof schemas.checkNumbersInputSchema>) => checkNumbers(host, sessionId, input),
      userInfo: (sessionId: string, input: In<typeof schemas.userInfoInputSchema>) => getUserInfo(host, sessionId, input),
      avatar: (sessionId: string, input: In<typeof schemas.avatarInputSchema>) => getAvatar(host, sessionId, input),
      list: (sessionId: string) => listContacts(host, sessionId)
    },
    groups: {
      list: (sessionId: string) => listGroups(host, sessionId),
      create: (sessionId: string, input: In<typeof schemas.createGroupInputSchema>) => createGroup(host, sessionId, input),
      info: (sessionId: string, input: In<typeof schemas.groupInputSchema>) => getGroupInfo(host, sessionId, input),
      inviteLink: (sessionId: string, input: In<typeof schemas.groupInviteInputSchema>) => getGroupInviteLink(host, sessionId, input),
      setSubject: (sessionId: string, input: In<typeof schemas.setGroupSubjectInputSchema>) => setGroupSubject(host, sessionId, input),
      setDescription: (sessionId: string, input: In<typeof schemas.setGroupDescriptionInputSchema>) => setGroupDescription(host, sessionId, input),
      setPicture: (sessionId: string, input: In<typeof schemas.setGroupPictureInputSchema>) => setGroupPicture(host, sessionId, input, options),
      participants: (sessionId: string, input: In<typeof schemas.groupParticipantsInputSchema>) => updateGroupParticipants(host, sessionId, input),
      leave: (sessionId: string, input: In<typeof schemas.groupInputSchema>) => leaveGroup(host, sessionId, input),
      settings: (sessionId: string, input: In<typeof schemas.groupSettingsInputSchema>) => updateGroupSettings(host, sessionId, input)
    }
  }
}

export type Operations = ReturnType<typeof createOperations>

export type { OperationOptions, OperationsHost } from './common.js'
export { findStoredMessage, linkedSocket, parseInput, toJid } from './common.js'
export { checkNumbers, getAvatar, getUserInfo, listContacts } from './contacts.js'
export {
  createGroup, getGroupInfo, getGroupInviteLink, groupInfoOf, INVITE_LINK_PREFIX, leaveGroup, listGroups, setGroupDescription,
  setGroupPicture, setGroupSubject, updateGroupParticipants, updateGroupSettings
} from './groups.js'
export { downloadMessageMedia, mediaOf } from './media.js'
export { DESCRIPTOR_MEDIA_KINDS, type DescriptorMediaKind, downloadMediaDescriptor, mediaDescriptorInputSchema } from './media-download.js'
export { decodeBase64, type MediaKind, resolveMedia, type ResolvedMedia, sniffMimetype } from './media-input.js'
export {
  buildVcard, editMessage, markRead, revokeMessage, sendAudio, sendContact, sendDocument, sendImage, sendLocation, sendReaction,
  sendSticker, sendText, sendVideo, sendVoice
} from './messages.js'
export { sendChatState, setPresence } from './presence.js'
