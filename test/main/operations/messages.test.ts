/**
 * Message operations against the simulator: WaDock session `alice` sends; the other side is the virtual phone of
 * Pat (what it decrypted) or Bob's real Baileys client (protocol messages, receipts). Every send is also checked in
 * alice's store.
 */
import { normalizeMessageContent, proto, WAMessageStubType } from '@whiskeysockets/baileys'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ConflictError, NotFoundError, ValidationError } from '../../../src/main/errors.js'
import { linkByQr, type TestClient } from '../../support/baileys-client.js'
import { type Fixture, pn, startFixture } from './fixture.js'

const PHONE = { A: '15550006001', B: '15550006002', P: '15550006009', NOBODY: '15550006999' } as const
const { MESSAGE_EDIT, REVOKE } = proto.Message.ProtocolMessage.Type

/** Resolves once `check` holds, polling (what the store shows follows Baileys' own events, a moment after a send). */
async function eventually(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  for (const end = Date.now() + timeoutMs; !check();) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise(resolve => setTimeout(resolve, 25))
  }
}

describe('operations: messages', () => {
  let f: Fixture
  let B: TestClient
  const phone = (p: string) => f.sim.account(p).phoneDevice
  const stored = (chat: string, id: string) => f.h.host.store.messages.get('alice', chat, id, true)

  beforeAll(async () => {
    f = await startFixture({ alice: { phone: PHONE.A, name: 'Alice' } })
    ;[B] = await Promise.all([linkByQr(f.sim, PHONE.B, 'Bob'), f.sim.createAccount(PHONE.P, 'Pat')])
  })
  afterAll(async () => {
    B?.stop()
    await f?.stop()
  })

  it('sends text to a number written with "+", spaces and dashes; the phone decrypts it and the store has it', async () => {
    const sent = await f.ops.messages.sendText('alice', { to: '+1 555-000-6009', text: 'hello Pat' })
    expect(sent).toMatchObject({ chat: pn(PHONE.P), type: 'extendedTextMessage' })
    expect(sent.timestamp).toBeGreaterThan(1_700_000_000)
    const got = await phone(PHONE.P).waitForMessage(m => m.id === sent.id)
    expect(got).toMatchObject({ type: 'text', text: 'hello Pat', from: pn(PHONE.A), chat: pn(PHONE.A), direction: 'in' })
    // returned only once stored
    expect(stored(pn(PHONE.P), sent.id)).toMatchObject({ fromMe: true, type: 'extendedTextMessage', text: 'hello Pat' })
  })

  it("a sent text becomes delivered when the phone's receipt comes back: stored, and announced as message_ack", async () => {
    const sent = await f.ops.messages.sendText('alice', { to: PHONE.P, text: 'did it arrive?' })
    await f.h.waitFor('message_ack', e => e.sessionId === 'alice' && e.id === sent.id && e.status === proto.WebMessageInfo.Status.DELIVERY_ACK)
    expect(stored(pn(PHONE.P), sent.id)?.status).toBe(proto.WebMessageInfo.Status.DELIVERY_ACK)
  })

  it('sends 200 texts with 20 in flight: every one reaches the phone and is stored once, and no Signal session update is lost', async () => {
    const held = { pat: await phone(PHONE.P).heldMessageKeys(), own: await phone(PHONE.A).heldMessageKeys() }
    const sent: string[] = []
    let next = 0
    await Promise.all(Array.from({ length: 20 }, async () => {
      while (next < 200) sent.push((await f.ops.messages.sendText('alice', { to: PHONE.P, text: `stream ${next++}` })).id)
    }))
    for (const id of sent) {
      await phone(PHONE.P).waitForMessage(m => m.id === id)
      await phone(PHONE.A).waitForMessage(m => m.id === id)
      expect(stored(pn(PHONE.P), id)).toMatchObject({ fromMe: true })
    }
    // A session update lost at the sender shows as a message key the phones hold for a message that never comes.
    expect(await phone(PHONE.P).heldMessageKeys()).toBe(held.pat)
    expect(await phone(PHONE.A).heldMessageKeys()).toBe(held.own)
  })

  it('replies quoting a stored message and mentions a user', async () => {
    const { id: question } = await f.sim.sendText(PHONE.P, PHONE.A, 'are you there?')
    await f.h.waitFor('message', e => e.id === question)
    const sent = await f.ops.messages.sendText('alice', { to: PHONE.P, text: `yes @${PHONE.P}`, replyTo: question, mentions: [`+${PHONE.P}`] })
    const got = await phone(PHONE.P).waitForMessage(m => m.id === sent.id)
    const context = got.message.extendedTextMessage?.contextInfo
    expect(got.text).toBe(`yes @${PHONE.P}`)
    expect(context?.stanzaId).toBe(question)
    expect(context?.quotedMessage?.conversation).toBe('are you there?')
    expect(context?.participant).toBe(pn(PHONE.P))
    expect(context?.mentionedJid).toEqual([pn(PHONE.P)])
    expect(stored(pn(PHONE.P), sent.id)?.text).toBe(`yes @${PHONE.P}`)
  })

  it('sends a location and a contact card', async () => {
    const location = await f.ops.messages.sendLocation('alice', { to: PHONE.P, latitude: 52.52, longitude: 13.405, name: 'Berlin', address: 'Pariser Platz' })
    const gotLocation = await phone(PHONE.P).waitForMessage(m => m.id === location.id)
    expect(gotLocation.type).toBe('location')
    expect(gotLocation.message.locationMessage).toMatchObject({ degreesLatitude: 52.52, degreesLongitude: 13.405, name: 'Berlin', address: 'Pariser Platz' })
    expect(stored(pn(PHONE.P), location.id)?.type).toBe('locationMessage')

    const card = await f.ops.messages.sendContact('alice', { to: PHONE.P, contact: { name: 'Dr. Who; Time Lord', phone: '+44 20 7946 0001', organization: 'TARDIS' } })
    const gotCard = await phone(PHONE.P).waitForMessage(m => m.id === card.id)
    expect(gotCard.type).toBe('contact')
    const contact = gotCard.message.contactMessage!
    expect(contact.displayName).toBe('Dr. Who; Time Lord')
    expect(contact.vcard).toContain('FN:Dr. Who\\; Time Lord')
    expect(contact.vcard).toContain('TEL;type=CELL;type=VOICE;waid=442079460001:+442079460001')
    expect(contact.vcard).toContain('ORG:TARDIS')
    expect(stored(pn(PHONE.P), card.id)?.type).toBe('contactMessage')
  })

  it("reacts to the phone's message and removes the reaction", async () => {
    const { id: target } = await f.sim.sendText(PHONE.P, PHONE.A, 'react to me')
    await f.h.waitFor('message', e => e.id === target)
    const like = await f.ops.messages.sendReaction('alice', { chat: `+${PHONE.P}`, messageId: target, emoji: '👍' })
    expect(like).toMatchObject({ type: 'reactionMessage', targetId: target, chat: pn(PHONE.P) })
    const got = await phone(PHONE.P).waitForMessage(m => m.id === like.id)
    expect(got).toMatchObject({ type: 'reaction', text: '👍' })
    // the key is in the reactor's view: alice reacted to a message she did not send
    expect(got.message.reactionMessage?.key).toMatchObject({ id: target, fromMe: false, remoteJid: pn(PHONE.P) })
    expect(stored(pn(PHONE.P), like.id)?.type).toBe('reactionMessage')

    const removed = await f.ops.messages.sendReaction('alice', { messageId: target, emoji: '' })
    const gotRemoval = await phone(PHONE.P).waitForMessage(m => m.id === removed.id)
    expect(gotRemoval.type).toBe('reaction')
    expect(gotRemoval.message.reactionMessage?.text ?? '').toBe('')
    expect(gotRemoval.message.reactionMessage?.key?.id).toBe(target)
  })

  it('edits its own text message: Bob receives a MESSAGE_EDIT protocol message with the new text', async () => {
    const sent = await f.ops.messages.sendText('alice', { to: PHONE.B, text: 'helo' })
    await B.waitForMessage(m => m.key.id === sent.id)
    const edit = await f.ops.messages.edit('alice', { chat: PHONE.B, messageId: sent.id, text: 'hello' })
    expect(edit).toMatchObject({ type: 'protocolMessage', targetId: sent.id, chat: pn(PHONE.B) })
    const got = await B.waitForMessage(m => m.key.id === edit.id)
    const protocol = normalizeMessageContent(got.message)?.protocolMessage
    expect(protocol?.type).toBe(MESSAGE_EDIT)
    expect(protocol?.key?.id).toBe(sent.id)
    expect(protocol?.editedMessage?.extendedTextMessage?.text ?? protocol?.editedMessage?.conversation).toBe('hello')
    await B.until(() => B.updates.find(u => u.key.id === sent.id && u.update.message?.editedMessage), 10_000, 'the edit update')
    // the store shows the edited text, and when it was edited
    await eventually(() => stored(pn(PHONE.B), sent.id)?.text === 'hello', 'the stored edit')
    expect(stored(pn(PHONE.B), sent.id)).toMatchObject({ type: 'extendedTextMessage', editedAt: expect.any(Number), revokedAt: null })
  })

  it("stores Bob's edit and deletion of his own messages", async () => {
    const first = await B.sock!.sendMessage(pn(PHONE.A), { text: 'see you at 5' })
    const second = await B.sock!.sendMessage(pn(PHONE.A), { text: 'ignore this' })
    for (const m of [first!, second!]) await f.h.waitFor('message', e => e.sessionId === 'alice' && e.id === m.key.id)
    await B.sock!.sendMessage(pn(PHONE.A), { text: 'see you at 6', edit: first!.key })
    await B.sock!.sendMessage(pn(PHONE.A), { delete: second!.key })
    const received = (id: string) => f.h.host.store.messages.get('alice', pn(PHONE.B), id, false)
    await eventually(() => received(first!.key.id!)?.text === 'see you at 6' && received(second!.key.id!)?.revokedAt !== null, 'the stored edit and deletion')
    expect(received(first!.key.id!)).toMatchObject({ editedAt: expect.any(Number), revokedAt: null })
    expect(received(second!.key.id!)).toMatchObject({ text: null, revokedAt: expect.any(Number) })
  })

  it('revokes its own message: Bob receives a REVOKE protocol message and deletes it', async () => {
    const sent = await f.ops.messages.sendText('alice', { to: PHONE.B, text: 'oops, wrong chat' })
    await B.waitForMessage(m => m.key.id === sent.id)
    const revoke = await f.ops.messages.revoke('alice', { chat: pn(PHONE.B), messageId: sent.id })
    expect(revoke).toMatchObject({ type: 'protocolMessage', targetId: sent.id })
    const got = await B.waitForMessage(m => m.key.id === revoke.id)
    const protocol = normalizeMessageContent(got.message)?.protocolMessage
    expect(protocol?.type).toBe(REVOKE)
    expect(protocol?.key?.id).toBe(sent.id)
    await B.until(() => B.updates.find(u => u.key.id === sent.id && u.update.messageStubType === WAMessageStubType.REVOKE), 10_000, 'the revoke update')
    // the store keeps that it was sent, not what it said
    await eventually(() => stored(pn(PHONE.B), sent.id)?.revokedAt != null, 'the stored deletion')
    expect(stored(pn(PHONE.B), sent.id)).toMatchObject({ text: null, type: 'extendedTextMessage' })
  })

  it("marks Bob's messages read: Bob's client sees READ", async () => {
    const first = await B.sock!.sendMessage(pn(PHONE.A), { text: 'read me' })
    const second = await B.sock!.sendMessage(pn(PHONE.A), { text: 'and me' })
    for (const m of [first!, second!]) await f.h.waitFor('message', e => e.sessionId === 'alice' && e.id === m.key.id)
    await B.waitForStatus(second!.key.id!, 3)
    // receiving alone sends no read receipt
    expect(B.updates.some(u => u.key.id === second!.key.id && u.update.status === 4)).toBe(false)
    const result = await f.ops.messages.markRead('alice', { chat: `+${PHONE.B}`, messageIds: [first!.key.id!, second!.key.id!] })
    expect(result).toEqual({ chat: pn(PHONE.B), messageIds: [first!.key.id, second!.key.id] })
    await B.waitForStatus(first!.key.id!, 4)
    await B.waitForStatus(second!.key.id!, 4)
  })

  it('refuses to edit or revoke what it did not send, and to edit what is not text', async () => {
    const { id } = await f.sim.sendText(PHONE.P, PHONE.A, 'not yours to edit')
    await f.h.waitFor('message', e => e.id === id)
    await expect(f.ops.messages.edit('alice', { messageId: id, text: 'hacked' })).rejects.toThrow(ValidationError)
    await expect(f.ops.messages.revoke('alice', { messageId: id })).rejects.toThrow(/only your own messages/)
    const location = await f.ops.messages.sendLocation('alice', { to: PHONE.P, latitude: 1, longitude: 2 })
    await expect(f.ops.messages.edit('alice', { messageId: location.id, text: 'x' })).rejects.toThrow(/not a text message/)
    // the message exists, but not in that chat
    await expect(f.ops.messages.sendReaction('alice', { chat: PHONE.B, messageId: id, emoji: '👍' })).rejects.toThrow(NotFoundError)
  })

  it('rejects bad input with typed errors and writes nothing', async () => {
    const before = f.messageRows()
    const text = { to: PHONE.P, text: 'never sent' }
    await expect(f.ops.messages.sendText('nobody', text)).rejects.toThrow(NotFoundError)
    await expect(f.ops.messages.sendText('idle', text)).rejects.toThrow(ConflictError)
    await expect(f.ops.messages.sendText('idle', text)).rejects.toThrow('session not linked')
    for (const to of ['12ab', '123', '+1 555 000 6009 0000 0', '15550006009@example.com', 'abc@g.us', '']) {
      await expect(f.ops.messages.sendText('alice', { ...text, to })).rejects.toThrow(/^to: /)
    }
    await expect(f.ops.messages.sendText('alice', { ...text, to: PHONE.NOBODY })).rejects.toThrow(`${PHONE.NOBODY} is not on WhatsApp`)
    await expect(f.ops.messages.sendText('alice', { ...text, text: '' })).rejects.toThrow(ValidationError)
    await expect(f.ops.messages.sendText('alice', { ...text, mentions: ['not a number'] })).rejects.toThrow(/^mentions\.0: /)
    await expect(f.ops.messages.sendText('alice', { ...text, replyTo: 'NOSUCHMESSAGE' })).rejects.toThrow(NotFoundError)
    await expect(f.ops.messages.sendLocation('alice', { to: PHONE.P, latitude: 91, longitude: 0 })).rejects.toThrow(/^latitude: /)
    await expect(f.ops.messages.sendContact('alice', { to: PHONE.P, contact: { name: 'X', phone: '12' } })).rejects.toThrow(/^contact\.phone: /)
    await expect(f.ops.messages.sendReaction('alice', { messageId: 'NOSUCHMESSAGE', emoji: '👍' })).rejects.toThrow(NotFoundError)
    await expect(f.ops.messages.sendReaction('alice', { messageId: 'bad id!', emoji: '👍' })).rejects.toThrow(/^messageId: /)
    await expect(f.ops.messages.revoke('alice', { messageId: 'NOSUCHMESSAGE' })).rejects.toThrow(NotFoundError)
    await expect(f.ops.messages.markRead('alice', { chat: PHONE.B, messageIds: [] })).rejects.toThrow(/^messageIds: /)
    await expect(f.ops.messages.markRead('alice', { chat: PHONE.B, messageIds: ['NOSUCHMESSAGE'] })).rejects.toThrow(NotFoundError)
    await expect(f.ops.messages.sendText('alice', { to: PHONE.P } as never)).rejects.toThrow(/^text: /)
    expect(f.messageRows()).toBe(before)
  })
})
