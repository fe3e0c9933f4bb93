/** JID helpers for the simulator's two address domains: phone numbers (`@s.whatsapp.net`) and LIDs (`@lid`). */
import { jidDecode } from '@whiskeysockets/baileys'

export const SERVER_JID = '@s.whatsapp.net'
export const PN_SERVER = 's.whatsapp.net'
export const LID_SERVER = 'lid'
export const GROUP_SERVER = 'g.us'

export type Domain = 'pn' | 'lid'

export interface ParsedJid {
  user: string
  device: number
  server: string
}

export function parseJid(jid: string | undefined): ParsedJid | undefined {
  if (!jid) return undefined
  const decoded = jidDecode(jid)
  if (!decoded?.user) return undefined
  return { user: decoded.user, device: decoded.device ?? 0, server: decoded.server }
}

export function userJid(user: string, domain: Domain): string {
  return `${user}@${domain === 'lid' ? LID_SERVER : PN_SERVER}`
}

/** Device 0 (the phone) is written without a device suffix, as WhatsApp does. */
export function deviceJid(user: string, device: number, domain: Domain): string {
  return device ? `${user}:${device}@${domain === 'lid' ? LID_SERVER : PN_SERVER}` : userJid(user, domain)
}

export function domainOf(jid: string): Domain {
  return jid.endsWith('@lid') ? 'lid' : 'pn'
}

export function isGroupJid(jid: string | undefined): boolean {
  return !!jid && jid.endsWith('@g.us')
}

/** Digits only: `+1 (555) 000-0001` → `15550000001`. */
export function normalizePhone(input: string): string {
  return input.replace(/[^0-9]/g, '')
}

export function unixNow(): number {
  return Math.floor(Date.now() / 1000)
}
