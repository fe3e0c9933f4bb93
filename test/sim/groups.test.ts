/**
 * A group's whole life with three real, unmodified Baileys clients (A, B, C, each linked by QR to its own number)
 * and the virtual phones of their accounts: creation, messages with sender keys, receipts, metadata and settings,
 * participants, the group picture, and both addressing modes. Every assertion is about what a client received.
 */
import {
  areJidsSameUser, type BinaryNode, getAllBinaryNodeChildren, getBinaryNodeChild, type GroupMetadata, type WAMessage, WAMessageStubType
} from '@whiskeysockets/baileys'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createGroup } from '../../src/sim/groups.js'
import { startSimulator, type Simulator } from '../../src/sim/index.js'
import { linkByQr, type TestClient } from '../support/baileys-client.js'

const PHONE = { A: '15550003001', B: '15550003002', C: '15550003003' } as const

/** Baileys generates the group picture with sharp or jimp; without either it cannot set one. */
const imageLibrary = (await Promise.all(['sharp', 'jimp'].map(name => import(name).then(() => name, () => undefined)))).find(Boolean)

/** 8×8 JPEG: the picture the admin sets (Baileys re-encodes it to 640×640) */
const JPEG = Buffer.from(
  '/9j/2wBDABQODxIPDRQSEBIXFRQYHjIhHhwcHj0sLiQySUBMS0dARkVQWnNiUFVtVkVGZIhlbXd7gYKBTmCNl4x9lnN+gXz/2wBDARUXFx4aHjshITt8U0ZTfHx8fHx8' +
  'fHx8fHx8fHx8fHx8fHx8fHx8fHx8fHx8fHx8fHx8fHx8fHx8fHx8fHx8fHz/wAARCAAIAAgDASIAAhEBAxEB/8QAFQABAQAAAAAAAAAAAAAAAAAAAAL/xAAUEAEAAAAAAAAA' +
  'AAAAAAAAAAAA/8QAFQEBAQAAAAAAAAAAAAAAAAAAAQX/xAAUEQEAAAAAAAAAAAAAAAAAAAAA/9oADAMBAAIRAxEAPwCQAjv/2Q==',
  'base64'
)

const textOf = (m: WAMessage) => m.message?.conversation ?? m.message?.extendedTextMessage?.text

/** Group receipts for message `id`: as events, or folded into the message when Baileys' event buffer held both. */
const receiptsFor = (client: TestClient, id: string) => [
  ...client.receipts.filter(r => r.key.id === id).map(r => r.receipt),
  ...client.messages.filter(m => m.key.id === id).flatMap(m => m.userReceipt ?? [])
]

describe('simulator: group lifecycle with real Baileys clients', () => {
  let sim: Simulator
  let A: TestClient
  let B: TestClient
  let C: TestClient
  let groupJid = ''
  let pnGroupJid = ''
  const pn = (phone: string) => `${phone}@s.whatsapp.net`
  const lid = (phone: string) => `${sim.account(phone).lid}@lid`
  const participant = (meta: GroupMetadata, phone: string) => meta.participants.find(p => p.id === lid(phone))

  beforeAll(async () => {
    sim = await startSimulator()
    ;[A, B, C] = await Promise.all([
      linkByQr(sim, PHONE.A, 'Alice'),
      linkByQr(sim, PHONE.B, 'Bob'),
      linkByQr(sim, PHONE.C, 'Carol')
    ])
  })

  afterAll(async () => {
    for (const c of [A, B, C]) c?.stop()
    await sim?.stop()
  })

  it('creates a LID-addressed group; the members get the create notification', async () => {
    const upsertB = B.waitFor('groups.upsert', gs => gs.some(g => g.subject === 'Team'))
    const upsertC = C.waitFor('groups.upsert', gs => gs.some(g => g.subject === 'Team'))
    const meta = await A.sock!.groupCreate('Team', [pn(PHONE.B), pn(PHONE.C)])
    groupJid = meta.id
    expect(groupJid).toMatch(/^\d+@g\.us$/)
    expect(meta.subject).toBe('Team')
    expect(meta.addressingMode).toBe('lid')
    expect(meta.participants).toHaveLength(3)
    expect(participant(meta, PHONE.A)).toMatchObject({ admin: 'superadmin', phoneNumber: pn(PHONE.A) })
    expect(participant(meta, PHONE.B)).toMatchObject({ admin: null, phoneNumber: pn(PHONE.B) })
    expect(participant(meta, PHONE.C)).toMatchObject({ admin: null, phoneNumber: pn(PHONE.C) })
    expect(meta.owner).toBe(lid(PHONE.A))

    for (const upsert of [upsertB, upsertC]) {
      const group = (await upsert).find(g => g.id === groupJid)!
      expect(group.subject).toBe('Team')
      expect(group.participants).toHaveLength(3)
      expect(group.author).toBe(lid(PHONE.A))
      expect(group.authorPn).toBe(pn(PHONE.A))
    }
  })

  it('routes group messages between the clients and the virtual phones, with read receipts', async () => {
    // A's first message carries the sender key to every member device
    const first = await A.sock!.sendMessage(groupJid, { text: 'hello team' })
    for (const member of [B, C]) {
      const got = await member.waitForMessage(m => m.key.id === first!.key.id)
      expect(got.key.remoteJid).toBe(groupJid)
      expect(got.key.fromMe).toBe(false)
      expect(areJidsSameUser(got.key.participant!, lid(PHONE.A))).toBe(true)
      expect(got.key.participantAlt).toBe(pn(PHONE.A))
      expect(textOf(got)).toBe('hello team')
      expect(got.pushName).toBe('Alice')
    }
    // ...and to the members' phones
    for (const phone of [PHONE.B, PHONE.C]) {
      const onPhone = await sim.account(phone).phoneDevice.waitForMessage(m => m.id === first!.key.id)
      expect(onPhone).toMatchObject({ chat: groupJid, from: pn(PHONE.A), text: 'hello team', fromMe: false })
    }

    // B replies: its own sender key goes out with it
    const gotByB = B.messages.find(m => m.key.id === first!.key.id)!
    const reply = await B.sock!.sendMessage(groupJid, { text: 'hi from bob' }, { quoted: gotByB })
    for (const member of [A, C]) {
      const got = await member.waitForMessage(m => m.key.id === reply!.key.id)
      expect(got.key.remoteJid).toBe(groupJid)
      expect(areJidsSameUser(got.key.participant!, lid(PHONE.B))).toBe(true)
      expect(textOf(got)).toBe('hi from bob')
      expect(got.message?.extendedTextMessage?.contextInfo?.stanzaId).toBe(first!.key.id)
    }

    // A's second message: the sender key is already distributed, only the skmsg travels
    const second = await A.sock!.sendMessage(groupJid, { text: 'second from alice' })
    for (const member of [B, C]) {
      const got = await member.waitForMessage(m => m.key.id === second!.key.id)
      expect(textOf(got)).toBe('second from alice')
      expect(got.messageStubType ?? 0).toBe(0)
    }
    for (const phone of [PHONE.B, PHONE.C]) {
      const onPhone = await sim.account(phone).phoneDevice.waitForMessage(m => m.id === second!.key.id)
      expect(onPhone.text).toBe('second from alice')
    }

    // the phone of B writes in the group
    const { id: fromPhone } = await sim.sendText(PHONE.B, groupJid, 'from phone')
    for (const member of [A, C]) {
      const got = await member.waitForMessage(m => m.key.id === fromPhone)
      expect(got.key.remoteJid).toBe(groupJid)
      expect(got.key.participant).toBe(lid(PHONE.B))
      expect(textOf(got)).toBe('from phone')
      expect(got.pushName).toBe('Bob')
    }
    // B's linked client sees what its phone sent as its own
    const own = await B.waitForMessage(m => m.key.id === fromPhone)
    expect(own.key.fromMe).toBe(true)
    expect(textOf(own)).toBe('from phone')

    // C reads A's message: A is told who read it
    const gotByC = C.messages.find(m => m.key.id === first!.key.id)!
    await C.sock!.readMessages([gotByC.key])
    const read = await A.until(() => receiptsFor(A, first!.key.id!).find(r => r.userJid === lid(PHONE.C) && !!r.readTimestamp), 15_000, 'read receipt')
    expect(read.readTimestamp).toBeGreaterThan(0)
    // and each member's delivery receipt reached A
    for (const phone of [PHONE.B, PHONE.C]) {
      await A.until(() => receiptsFor(A, first!.key.id!).some(r => r.userJid === lid(phone) && !!r.receiptTimestamp), 15_000, 'delivery receipt')
    }
  })

  it('serves metadata and applies subject, description, invite and settings changes', async () => {
    const metaB = await B.sock!.groupMetadata(groupJid)
    expect(metaB.subject).toBe('Team')
    expect(metaB.participants).toHaveLength(3)
    expect(participant(metaB, PHONE.A)?.admin).toBe('superadmin')
    expect(participant(metaB, PHONE.B)?.admin).toBeNull()
    expect(participant(metaB, PHONE.C)?.admin).toBeNull()

    // subject
    const subjectB = B.waitFor('groups.update', us => us.some(u => u.id === groupJid && u.subject === 'Team 2'))
    const subjectC = C.waitFor('groups.update', us => us.some(u => u.id === groupJid && u.subject === 'Team 2'))
    await A.sock!.groupUpdateSubject(groupJid, 'Team 2')
    for (const update of [subjectB, subjectC]) {
      const u = (await update).find(x => x.id === groupJid)!
      expect(u.author).toBe(lid(PHONE.A))
    }
    const afterSubject = await C.sock!.groupMetadata(groupJid)
    expect(afterSubject.subject).toBe('Team 2')
    expect(afterSubject.subjectOwner).toBe(lid(PHONE.A))

    // description
    const descB = B.waitFor('groups.update', us => us.some(u => u.id === groupJid && u.desc === 'Where the team talks'))
    await A.sock!.groupUpdateDescription(groupJid, 'Where the team talks')
    await descB
    const withDesc = await B.sock!.groupMetadata(groupJid)
    expect(withDesc.desc).toBe('Where the team talks')
    expect(withDesc.descId).toBeTruthy()
    expect(withDesc.descOwner).toBe(lid(PHONE.A))

    // invite link
    const code = await A.sock!.groupInviteCode(groupJid)
    expect(code).toMatch(/^[\w-]{10,}$/)
    const linkReset = B.waitFor('groups.update', us => us.some(u => u.id === groupJid && !!u.inviteCode))
    const revoked = await A.sock!.groupRevokeInvite(groupJid)
    expect((await linkReset).find(u => u.id === groupJid)!.inviteCode).toBe(revoked)
    expect(revoked).toMatch(/^[\w-]{10,}$/)
    expect(revoked).not.toBe(code)
    expect(await A.sock!.groupInviteCode(groupJid)).toBe(revoked)

    // announcement and locked
    const announceB = B.waitFor('groups.update', us => us.some(u => u.id === groupJid && u.announce === true))
    const announceC = C.waitFor('groups.update', us => us.some(u => u.id === groupJid && u.announce === true))
    await A.sock!.groupSettingUpdate(groupJid, 'announcement')
    await Promise.all([announceB, announceC])
    const restrictB = B.waitFor('groups.update', us => us.some(u => u.id === groupJid && u.restrict === true))
    await A.sock!.groupSettingUpdate(groupJid, 'locked')
    await restrictB
    const settings = await C.sock!.groupMetadata(groupJid)
    expect(settings.announce).toBe(true)
    expect(settings.restrict).toBe(true)

    // a member is no admin: the server refuses, Baileys throws, nothing changes
    await expect(C.sock!.groupSettingUpdate(groupJid, 'unlocked')).rejects.toThrow(/forbidden/)
    await expect(C.sock!.groupSettingUpdate(groupJid, 'not_announcement')).rejects.toThrow(/forbidden/)
    await expect(C.sock!.groupUpdateSubject(groupJid, 'hijacked')).rejects.toThrow(/forbidden/)
    await expect(C.sock!.groupRevokeInvite(groupJid)).rejects.toThrow(/forbidden/)
    const unchanged = await B.sock!.groupMetadata(groupJid)
    expect(unchanged).toMatchObject({ announce: true, restrict: true, subject: 'Team 2' })

    // back to an open group for what follows
    // (one change at a time: Baileys' event buffer keeps only the first groups.update per group it holds)
    const announceOff = B.waitFor('groups.update', us => us.some(u => u.id === groupJid && u.announce === false))
    await A.sock!.groupSettingUpdate(groupJid, 'not_announcement')
    await announceOff
    const unlocked = B.waitFor('groups.update', us => us.some(u => u.id === groupJid && u.restrict === false))
    await A.sock!.groupSettingUpdate(groupJid, 'unlocked')
    await unlocked
    expect(await B.sock!.groupMetadata(groupJid)).toMatchObject({ announce: false, restrict: false })
  })

  it('lets an admin set the group picture that members can download', async () => {
    if (imageLibrary) {
      // members are told through a `picture` notification, which Baileys turns into a contact update of the group
      const changed = B.waitFor('contacts.update', us => us.some(u => u.id === groupJid && u.imgUrl === 'changed'))
      await A.sock!.updateProfilePicture(groupJid, JPEG)
      await changed
    } else {
      // no sharp or jimp: Baileys cannot build the picture, so the simulator's world gets it directly
      const put = sim.mediaServer.put(JPEG, 'pps')
      sim.world.findGroup(groupJid)!.picture = { id: '1', directPath: put.directPath, url: put.url, bytes: JPEG }
    }
    const stored = sim.world.findGroup(groupJid)!.picture!
    expect(stored.bytes.subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]))

    const url = await B.sock!.profilePictureUrl(groupJid, 'image')
    expect(url).toMatch(/^https:\/\//)
    const res = await fetch(url!, { dispatcher: B.options.mediaDispatcher } as RequestInit)
    expect(res.status).toBe(200)
    const served = Buffer.from(await res.arrayBuffer())
    expect(served.equals(stored.bytes)).toBe(true)
    expect(served.subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]))

    // a member cannot change it
    if (imageLibrary) await expect(C.sock!.updateProfilePicture(groupJid, JPEG)).rejects.toThrow()
    expect(sim.world.findGroup(groupJid)!.picture).toBe(stored)
  })

  it('removes, adds, promotes and demotes participants; a member leaves', async () => {
    // A removes C: C and B are told
    const removedC = C.waitFor('group-participants.update', u => u.id === groupJid && u.action === 'remove')
    const removedB = B.waitFor('group-participants.update', u => u.id === groupJid && u.action === 'remove')
    const removeResult = await A.sock!.groupParticipantsUpdate(groupJid, [pn(PHONE.C)], 'remove')
    expect(removeResult).toMatchObject([{ status: '200', jid: pn(PHONE.C) }])
    for (const update of [removedC, removedB]) {
      const u = await update
      expect(u.author).toBe(lid(PHONE.A))
      expect(u.participants).toMatchObject([{ id: lid(PHONE.C), phoneNumber: pn(PHONE.C) }])
    }
    expect((await B.sock!.groupMetadata(groupJid)).participants.map(p => p.id).sort()).toEqual([lid(PHONE.A), lid(PHONE.B)].sort())

    // a message from A now reaches B but not C (nor C's phone, nor C's queue)
    const afterRemoval = await A.sock!.sendMessage(groupJid, { text: 'C is not here' })
    await B.waitForMessage(m => m.key.id === afterRemoval!.key.id)
    await sim.account(PHONE.B).phoneDevice.waitForMessage(m => m.id === afterRemoval!.key.id)
    await expect(C.waitForMessage(m => m.key.id === afterRemoval!.key.id, 1_000)).rejects.toThrow(/timed out/)
    expect(sim.account(PHONE.C).phoneDevice.inbox.some(m => m.id === afterRemoval!.key.id)).toBe(false)
    for (const device of sim.account(PHONE.C).devices.values()) {
      expect([...device.pending.values()].some(n => n.attrs.id === afterRemoval!.key.id)).toBe(false)
    }
    // C's metadata query is refused now
    await expect(C.sock!.groupMetadata(groupJid)).rejects.toThrow()

    // A adds C back: C and B are told, and C gets A's messages again
    const addedC = C.waitFor('group-participants.update', u => u.id === groupJid && u.action === 'add')
    const addedB = B.waitFor('group-participants.update', u => u.id === groupJid && u.action === 'add')
    const addResult = await A.sock!.groupParticipantsUpdate(groupJid, [pn(PHONE.C)], 'add')
    expect(addResult).toMatchObject([{ status: '200', jid: pn(PHONE.C) }])
    for (const update of [addedC, addedB]) expect((await update).participants).toMatchObject([{ id: lid(PHONE.C), phoneNumber: pn(PHONE.C) }])
    const welcome = await A.sock!.sendMessage(groupJid, { text: 'welcome back' })
    expect(textOf(await C.waitForMessage(m => m.key.id === welcome!.key.id))).toBe('welcome back')
    // adding a member twice is refused per participant
    expect(await A.sock!.groupParticipantsUpdate(groupJid, [pn(PHONE.C)], 'add')).toMatchObject([{ status: '409' }])

    // promote B: everyone is told, B is admin and may change settings
    const promoted = C.waitFor('group-participants.update', u => u.id === groupJid && u.action === 'promote')
    const promotedB = B.waitFor('group-participants.update', u => u.id === groupJid && u.action === 'promote')
    await A.sock!.groupParticipantsUpdate(groupJid, [pn(PHONE.B)], 'promote')
    expect((await promoted).participants).toMatchObject([{ id: lid(PHONE.B) }])
    await promotedB
    expect(participant(await C.sock!.groupMetadata(groupJid), PHONE.B)?.admin).toBe('admin')
    const subjectByB = A.waitFor('groups.update', us => us.some(u => u.id === groupJid && u.subject === 'Team by Bob'))
    await B.sock!.groupUpdateSubject(groupJid, 'Team by Bob')
    expect((await subjectByB).find(u => u.id === groupJid)!.author).toBe(lid(PHONE.B))

    // demote B again
    const demoted = C.waitFor('group-participants.update', u => u.id === groupJid && u.action === 'demote')
    await A.sock!.groupParticipantsUpdate(groupJid, [pn(PHONE.B)], 'demote')
    expect((await demoted).participants).toMatchObject([{ id: lid(PHONE.B) }])
    expect(participant(await A.sock!.groupMetadata(groupJid), PHONE.B)?.admin).toBeNull()
    await expect(B.sock!.groupSettingUpdate(groupJid, 'locked')).rejects.toThrow(/forbidden/)

    // B leaves: A and C see B removed by B itself; B no longer lists the group
    const wire: BinaryNode[] = []
    const onGroupNotification = (node: BinaryNode) => wire.push(node)
    A.sock!.ws.on('CB:notification,type:w:gp2', onGroupNotification)
    const leftA = A.waitFor('group-participants.update', u => u.id === groupJid && u.action === 'remove')
    const leftC = C.waitFor('group-participants.update', u => u.id === groupJid && u.action === 'remove')
    await B.sock!.groupLeave(groupJid)
    for (const update of [leftA, leftC]) {
      const u = await update
      expect(u.author).toBe(lid(PHONE.B))
      expect(u.participants).toMatchObject([{ id: lid(PHONE.B) }])
    }
    A.sock!.ws.off('CB:notification,type:w:gp2', onGroupNotification)
    // on the wire, WhatsApp reports a member leaving as that member removing itself (wa-protocol.md §6)
    const leaveNode = wire.find(n => n.attrs.from === groupJid && n.attrs.participant === lid(PHONE.B))!
    expect(getAllBinaryNodeChildren(leaveNode).map(c => c.tag)).toEqual(['remove'])
    expect(getBinaryNodeChild(getAllBinaryNodeChildren(leaveNode)[0], 'participant')?.attrs).toMatchObject({ jid: lid(PHONE.B), phone_number: pn(PHONE.B) })
    const leftStub = await A.waitForMessage(m => m.key.remoteJid === groupJid && m.messageStubType === WAMessageStubType.GROUP_PARTICIPANT_LEAVE)
    expect(leftStub.messageStubParameters?.[0]).toContain(lid(PHONE.B))
    expect(Object.keys(await B.sock!.groupFetchAllParticipating())).not.toContain(groupJid)
    const remaining = await A.sock!.groupMetadata(groupJid)
    expect(remaining.participants.map(p => p.id).sort()).toEqual([lid(PHONE.A), lid(PHONE.C)].sort())

    // B's devices are out of the group's fan-out
    const afterLeave = await A.sock!.sendMessage(groupJid, { text: 'B left' })
    await C.waitForMessage(m => m.key.id === afterLeave!.key.id)
    await expect(B.waitForMessage(m => m.key.id === afterLeave!.key.id, 1_000)).rejects.toThrow(/timed out/)
  })

  it('routes messages in a PN-addressed group', async () => {
    const upsertB = B.waitFor('groups.upsert', gs => gs.some(g => g.subject === 'PN Team'))
    const upsertC = C.waitFor('groups.upsert', gs => gs.some(g => g.subject === 'PN Team'))
    const group = createGroup(sim.world, sim.account(PHONE.A), 'PN Team', [sim.account(PHONE.B), sim.account(PHONE.C)], 'pn')
    pnGroupJid = `${group.id}@g.us`
    for (const upsert of [upsertB, upsertC]) {
      const g = (await upsert).find(x => x.id === pnGroupJid)!
      expect(g.addressingMode).toBe('pn')
      expect(g.participants.find(p => p.id === pn(PHONE.A))).toMatchObject({ admin: 'superadmin', lid: lid(PHONE.A) })
    }
    const meta = await A.sock!.groupMetadata(pnGroupJid)
    expect(meta.addressingMode).toBe('pn')
    expect(meta.participants.map(p => p.id).sort()).toEqual([pn(PHONE.A), pn(PHONE.B), pn(PHONE.C)].sort())

    const sent = await A.sock!.sendMessage(pnGroupJid, { text: 'pn hello' })
    for (const member of [B, C]) {
      const got = await member.waitForMessage(m => m.key.id === sent!.key.id)
      expect(got.key.remoteJid).toBe(pnGroupJid)
      expect(got.key.addressingMode).toBe('pn')
      expect(areJidsSameUser(got.key.participant!, pn(PHONE.A))).toBe(true)
      expect(got.key.participantAlt).toBe(lid(PHONE.A))
      expect(textOf(got)).toBe('pn hello')
    }
    const onPhone = await sim.account(PHONE.C).phoneDevice.waitForMessage(m => m.id === sent!.key.id)
    expect(onPhone).toMatchObject({ chat: pnGroupJid, text: 'pn hello' })

    const reply = await B.sock!.sendMessage(pnGroupJid, { text: 'pn reply' })
    for (const member of [A, C]) {
      const got = await member.waitForMessage(m => m.key.id === reply!.key.id)
      expect(areJidsSameUser(got.key.participant!, pn(PHONE.B))).toBe(true)
      expect(textOf(got)).toBe('pn reply')
    }

    const { id: fromPhone } = await sim.sendText(PHONE.C, pnGroupJid, 'pn from phone')
    const got = await A.waitForMessage(m => m.key.id === fromPhone)
    expect(got.key.participant).toBe(pn(PHONE.C))
    expect(textOf(got)).toBe('pn from phone')
  })

  it('lists the groups of each member', async () => {
    const ofA = await A.sock!.groupFetchAllParticipating()
    expect(Object.keys(ofA).sort()).toEqual([groupJid, pnGroupJid].sort())
    expect(ofA[groupJid]).toMatchObject({ subject: 'Team by Bob', desc: 'Where the team talks', addressingMode: 'lid', size: 2 })
    expect(ofA[pnGroupJid]).toMatchObject({ subject: 'PN Team', addressingMode: 'pn', size: 3 })
    const ofC = await C.sock!.groupFetchAllParticipating()
    expect(Object.keys(ofC).sort()).toEqual([groupJid, pnGroupJid].sort())
    const ofB = await B.sock!.groupFetchAllParticipating()
    expect(Object.keys(ofB)).toEqual([pnGroupJid])
  })
})
