/**
 * Contact and presence operations against the simulator: number checks, user info (about text, picture, LID ↔
 * phone from the store), avatars, stored contacts; presence and chat state as Bob's real Baileys client sees them.
 */
import type { BaileysEventMap } from '@whiskeysockets/baileys'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ConflictError, NotFoundError, ValidationError } from '../../../src/main/errors.js'
import { simulatorSocketOptions } from '../../../src/sim/index.js'
import { linkByQr, type TestClient } from '../../support/baileys-client.js'
import { type Fixture, JPEG, pn, startFixture } from './fixture.js'

const PHONE = { A: '15550008001', B: '15550008002', P: '15550008009', Q: '15550008010', NOBODY: '15550008999' } as const

describe('operations: contacts and presence', () => {
  let f: Fixture
  let B: TestClient
  const lid = (phone: string) => `${f.sim.account(phone).lid}@lid`

  beforeAll(async () => {
    f = await startFixture({ alice: { phone: PHONE.A, name: 'Alice' } })
    ;[B] = await Promise.all([linkByQr(f.sim, PHONE.B, 'Bob'), f.sim.createAccount(PHONE.P, 'Pat'), f.sim.createAccount(PHONE.Q, 'Quinn')])
  })
  afterAll(async () => {
    B?.stop()
    await f?.stop()
  })

  describe('contacts', () => {
    it('checks numbers in any notation: registered ones with their JID, unregistered ones not', async () => {
      const result = await f.ops.contacts.checkNumbers('alice', { numbers: ['+1 555-000-8002', pn(PHONE.P), PHONE.NOBODY, `+${PHONE.P}`] })
      expect(result).toEqual([
        { number: PHONE.B, exists: true, jid: pn(PHONE.B) },
        { number: PHONE.P, exists: true, jid: pn(PHONE.P) },
        { number: PHONE.NOBODY, exists: false, jid: null }
      ])
    })

    it('user info: the about text, no picture, and the LID learnt from a message; then the picture once set', async () => {
      const { id } = await f.sim.sendText(PHONE.P, PHONE.A, 'hi, I am Pat')
      await f.h.waitFor('message', e => e.id === id)
      const info = await f.ops.contacts.userInfo('alice', { user: `+${PHONE.P}` })
      expect(info).toMatchObject({
        jid: pn(PHONE.P), phoneNumber: pn(PHONE.P), lid: lid(PHONE.P), pushName: 'Pat', about: 'Hey there! I am using WhatsApp.', pictureUrl: null
      })
      expect(info.aboutSetAt).toBeGreaterThan(0)

      f.sim.setProfilePicture(PHONE.P, JPEG)
      const byLid = await f.ops.contacts.userInfo('alice', { user: lid(PHONE.P) })
      expect(byLid).toMatchObject({ jid: lid(PHONE.P), phoneNumber: pn(PHONE.P), lid: lid(PHONE.P), pushName: 'Pat' })
      expect(byLid.pictureUrl).toMatch(/^https:\/\//)
    })

    it('the about text follows what the user set', async () => {
      await B.sock!.updateProfileStatus('on holiday')
      const info = await f.ops.contacts.userInfo('alice', { user: PHONE.B })
      expect(info).toMatchObject({ jid: pn(PHONE.B), about: 'on holiday' })
    })

    it('avatar: NotFound without a picture; with one, a URL that serves it', async () => {
      await expect(f.ops.contacts.avatar('alice', { chat: PHONE.Q })).rejects.toThrow(`${pn(PHONE.Q)} has no profile picture`)
      await expect(f.ops.contacts.avatar('alice', { chat: PHONE.Q })).rejects.toThrow(NotFoundError)
      f.sim.setProfilePicture(PHONE.Q, JPEG)
      for (const type of ['image', 'preview'] as const) {
        const avatar = await f.ops.contacts.avatar('alice', { chat: `+${PHONE.Q}`, type })
        expect(avatar.chat).toBe(pn(PHONE.Q))
        const res = await fetch(avatar.url, { dispatcher: simulatorSocketOptions(f.sim.info()).mediaDispatcher } as RequestInit)
        expect(Buffer.from(await res.arrayBuffer())).toEqual(JPEG)
      }
    })

    it('lists the stored contacts, with push names and LIDs', async () => {
      const contacts = await f.ops.contacts.list('alice')
      expect(contacts).toContainEqual(expect.objectContaining({ phoneNumber: pn(PHONE.P), lid: lid(PHONE.P), pushName: 'Pat' }))
      // also while the session is not linked: the store answers
      expect(await f.ops.contacts.list('idle')).toEqual([])
    })

    it('rejects bad input with typed errors and writes nothing', async () => {
      const before = f.messageRows()
      await expect(f.ops.contacts.checkNumbers('alice', { numbers: ['12'] })).rejects.toThrow(/^numbers\.0: /)
      await expect(f.ops.contacts.checkNumbers('alice', { numbers: [] })).rejects.toThrow(ValidationError)
      await expect(f.ops.contacts.checkNumbers('alice', { numbers: ['120363000000000001@g.us'] })).rejects.toThrow(ValidationError)
      await expect(f.ops.contacts.checkNumbers('nobody', { numbers: [PHONE.P] })).rejects.toThrow(NotFoundError)
      await expect(f.ops.contacts.checkNumbers('idle', { numbers: [PHONE.P] })).rejects.toThrow(ConflictError)
      await expect(f.ops.contacts.userInfo('alice', { user: 'x1' })).rejects.toThrow(/^user: /)
      await expect(f.ops.contacts.userInfo('alice', { user: PHONE.NOBODY })).rejects.toThrow(`${PHONE.NOBODY} is not on WhatsApp`)
      await expect(f.ops.contacts.userInfo('idle', { user: PHONE.P })).rejects.toThrow('session not linked')
      await expect(f.ops.contacts.avatar('alice', { chat: 'nope' })).rejects.toThrow(/^chat: /)
      await expect(f.ops.contacts.list('nobody')).rejects.toThrow(NotFoundError)
      expect(f.messageRows()).toBe(before)
    })
  })

  describe('presence', () => {
    type Presence = BaileysEventMap['presence.update']
    /** Bob's next presence update about Alice in `state`, waited for from before `action` */
    const bobSees = async (state: string, action: () => Promise<unknown>) => {
      const jid = pn(PHONE.A)
      const update = B.waitFor('presence.update', (u: Presence) => u.id === jid && u.presences[jid]?.lastKnownPresence === state)
      await action()
      return (await update).presences[jid]
    }

    it('goes online and offline; Bob, subscribed, sees both', async () => {
      await bobSees('available', async () => {
        expect(await f.ops.presence.set('alice', { presence: 'available' })).toEqual({ presence: 'available' })
        await B.sock!.presenceSubscribe(pn(PHONE.A))
      })
      const gone = await bobSees('unavailable', () => f.ops.presence.set('alice', { presence: 'unavailable' }))
      expect(gone.lastSeen).toBeGreaterThan(0)
      await bobSees('available', () => f.ops.presence.set('alice', { presence: 'available' }))
    })

    it('types, records and pauses in the chat with Bob', async () => {
      expect(await bobSees('composing', () => f.ops.presence.sendChatState('alice', { chat: `+${PHONE.B}`, state: 'composing' })))
        .toMatchObject({ lastKnownPresence: 'composing' })
      await bobSees('recording', () => f.ops.presence.sendChatState('alice', { chat: PHONE.B, state: 'recording' }))
      // Baileys shows "paused" as available
      await bobSees('available', () => f.ops.presence.sendChatState('alice', { chat: PHONE.B, state: 'paused' }))
    })

    it('rejects bad input with typed errors', async () => {
      await expect(f.ops.presence.set('alice', { presence: 'busy' as never })).rejects.toThrow(/^presence: /)
      await expect(f.ops.presence.sendChatState('alice', { chat: PHONE.B, state: 'typing' as never })).rejects.toThrow(/^state: /)
      await expect(f.ops.presence.sendChatState('alice', { chat: '555', state: 'composing' })).rejects.toThrow(/^chat: /)
      await expect(f.ops.presence.set('nobody', { presence: 'available' })).rejects.toThrow(NotFoundError)
      await expect(f.ops.presence.set('idle', { presence: 'available' })).rejects.toThrow(ConflictError)
    })
  })
})
