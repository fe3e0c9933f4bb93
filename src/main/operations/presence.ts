/** The session's own presence (online or not) and its chat state in a chat (typing, recording, stopped). */
import type { z } from 'zod'
import { sendChatStateInputSchema, setPresenceInputSchema } from '../../shared/operations.js'
import { OperationError } from '../errors.js'
import { linkedSocket, type OperationsHost, parseInput, toJid, whatsapp } from './common.js'

export async function setPresence(host: OperationsHost, sessionId: string, input: z.input<typeof setPresenceInputSchema>): Promise<{ presence: 'available' | 'unavailable' }> {
  const i = parseInput(setPresenceInputSchema, input)
  const sock = linkedSocket(host, sessionId)
  // Baileys drops the update silently when the account has no push name yet; say so instead.
  if (!sock.authState.creds.me?.name) throw new OperationError('could not set the presence: the account has no push name yet')
  await whatsapp('set the presence', () => sock.sendPresenceUpdate(i.presence))
  return { presence: i.presence }
}

export async function sendChatState(host: OperationsHost, sessionId: string, input: z.input<typeof sendChatStateInputSchema>): Promise<{ chat: string; state: 'composing' | 'recording' | 'paused' }> {
  const i = parseInput(sendChatStateInputSchema, input)
  const sock = linkedSocket(host, sessionId)
  const chat = toJid(i.chat)
  await whatsapp('send the chat state', () => sock.sendPresenceUpdate(i.state, chat))
  return { chat, state: i.state }
}
