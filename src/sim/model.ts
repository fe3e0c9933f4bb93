/** The simulator's in-memory world: accounts (one per phone number), their devices, and group chats. */
import type { BinaryNode } from '@whiskeysockets/baileys'
import type { KeyPair } from './root-key.js'
import type { ClientConnection } from './connection.js'
import type { VirtualPhone } from './virtual-phone.js'
import { deviceJid, type Domain, userJid } from './jids.js'

export interface SignedPreKey {
  id: number
  publicKey: Buffer
  signature: Buffer
}

/** What a device publishes so others can open Signal sessions with it. */
export interface KeyBundle {
  registrationId: number
  identityKey: Buffer
  signedPreKey: SignedPreKey
  /** one-time prekeys by id; one is handed out per bundle fetch and kept until the device uses it */
  preKeys: Map<number, Buffer>
}

export interface Device {
  account: Account
  id: number
  /** the phone is device 0 and runs in the simulator; companions are real clients over WebSocket */
  kind: 'phone' | 'companion'
  bundle: KeyBundle
  /** companions only: the Noise static key that must match on every login */
  noiseKey?: Buffer
  keyIndex: number
  platform: string
  linkedAt: number
  /** the open, logged-in connection of a companion */
  connection?: ClientConnection
  /** stanzas not yet acknowledged by the device, keyed by `class:id[:type]`, in delivery order */
  pending: Map<string, BinaryNode>
  /** true until its first login completed, so the history-sync bootstrap is sent exactly once */
  awaitingBootstrap: boolean
  available: boolean
}

export interface Account {
  phone: string
  lid: string
  name: string
  about: string
  aboutSetAt: number
  /** the account (ADV) key: signs device identities and is the phone's Signal identity */
  accountKey: KeyPair
  rawId: number
  nextKeyIndex: number
  nextDeviceId: number
  devices: Map<number, Device>
  picture?: ProfilePicture
  lastSeen: number
  phoneDevice: VirtualPhone
}

export interface ProfilePicture {
  id: string
  directPath: string
  url: string
  bytes: Buffer
}

export interface GroupParticipant {
  phone: string
  role: 'member' | 'admin' | 'superadmin'
}

export interface Group {
  id: string // digits, without @g.us
  subject: string
  subjectOwner: string
  subjectTime: number
  creation: number
  creator: string
  description?: { id: string; text: string; time: number; owner: string }
  participants: Map<string, GroupParticipant>
  announce: boolean
  locked: boolean
  ephemeral: number
  inviteCode: string
  picture?: ProfilePicture
  addressingMode: Domain
}

export function accountUserJid(account: Account, domain: Domain): string {
  return userJid(domain === 'lid' ? account.lid : account.phone, domain)
}

export function deviceJidOf(device: Device, domain: Domain): string {
  return deviceJid(domain === 'lid' ? device.account.lid : device.account.phone, device.id, domain)
}
