/**
 * Group operations against the simulator: WaDock session `admin` creates and runs a group; session `member` (same
 * host, another account) checks every change through its own view of the group; phone-only accounts are the
 * other participants and receive what is sent to the group.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ConflictError, NotFoundError, OperationError, ValidationError } from '../../../src/main/errors.js'
import type { GroupInfo } from '../../../src/shared/operations.js'
import { simulatorSocketOptions } from '../../../src/sim/index.js'
import { type Fixture, JPEG, PDF, pn, startFixture } from './fixture.js'

const PHONE = { A: '15550009001', B: '15550009002', C: '15550009003', D: '15550009004', NOBODY: '15550009999' } as const

describe('operations: groups', () => {
  let f: Fixture
  let group = ''
  const member = (info: GroupInfo, phone: string) => info.participants.find(p => p.phoneNumber === pn(phone))
  const seenByMember = () => f.ops.groups.info('member', { group })

  beforeAll(async () => {
    f = await startFixture({ admin: { phone: PHONE.A, name: 'Admin' }, member: { phone: PHONE.B, name: 'Member' } })
    await Promise.all([f.sim.createAccount(PHONE.C, 'Carol'), f.sim.createAccount(PHONE.D, 'Dave')])
  })
  afterAll(async () => {
    await f?.stop()
  })

  it('creates a group; the member sees it with its participants and the creator as superadmin', async () => {
    const created = await f.ops.groups.create('admin', { subject: 'Ops team', participants: ['+1 555-000-9002', PHONE.C] })
    group = created.id
    expect(group).toMatch(/^\d+@g\.us$/)
    expect(created).toMatchObject({ subject: 'Ops team', size: 3, announce: false, locked: false })
    expect(member(created, PHONE.A)?.admin).toBe('superadmin')

    const seen = await seenByMember()
    expect(seen).toMatchObject({ id: group, subject: 'Ops team', size: 3 })
    expect(seen.participants.map(p => p.phoneNumber).sort()).toEqual([pn(PHONE.A), pn(PHONE.B), pn(PHONE.C)])
    expect(member(seen, PHONE.A)?.admin).toBe('superadmin')
    expect(member(seen, PHONE.B)).toMatchObject({ admin: null, lid: expect.stringMatching(/@lid$/) })
    expect((await f.ops.groups.list('member')).map(g => g.id)).toContain(group)
  })

  it('sends to the group: the other members receive it', async () => {
    const sent = await f.ops.messages.sendText('admin', { to: group, text: 'hello team' })
    expect(sent.chat).toBe(group)
    const got = await f.sim.account(PHONE.C).phoneDevice.waitForMessage(m => m.id === sent.id)
    expect(got).toMatchObject({ chat: group, from: pn(PHONE.A), text: 'hello team' })
    await f.h.waitFor('message', e => e.sessionId === 'member' && e.id === sent.id)
    expect(f.h.host.store.messages.get('admin', group, sent.id, true)?.text).toBe('hello team')
  })

  it('sets the subject and the description; the member sees them', async () => {
    expect(await f.ops.groups.setSubject('admin', { group, subject: 'Ops team 2' })).toEqual({ group, subject: 'Ops team 2' })
    expect(await f.ops.groups.setDescription('admin', { group, description: 'Where ops talk' })).toEqual({ group, description: 'Where ops talk' })
    const seen = await seenByMember()
    expect(seen).toMatchObject({ subject: 'Ops team 2', description: 'Where ops talk' })
    expect(seen.subjectOwner).toBe(member(seen, PHONE.A)?.jid)

    await f.ops.groups.setDescription('admin', { group, description: '' })
    expect((await seenByMember()).description).toBeNull()
  })

  it('gives the invite link, and a new one on reset', async () => {
    const invite = await f.ops.groups.inviteLink('admin', { group })
    expect(invite.link).toBe(`https://chat.whatsapp.com/${invite.code}`)
    expect(await f.ops.groups.inviteLink('member', { group })).toEqual(invite)
    const reset = await f.ops.groups.inviteLink('admin', { group, reset: true })
    expect(reset.code).not.toBe(invite.code)
    expect((await f.ops.groups.inviteLink('member', { group })).code).toBe(reset.code)
  })

  it('sets the group picture; the member fetches it as a JPEG', async () => {
    expect(await f.ops.groups.setPicture('admin', { group, image: JPEG.toString('base64') })).toEqual({ group })
    const avatar = await f.ops.contacts.avatar('member', { chat: group })
    const res = await fetch(avatar.url, { dispatcher: simulatorSocketOptions(f.sim.info()).mediaDispatcher } as RequestInit)
    const bytes = Buffer.from(await res.arrayBuffer())
    expect(bytes.subarray(0, 3)).toEqual(Buffer.from([0xff, 0xd8, 0xff]))
    expect(bytes).toEqual(f.sim.world.findGroup(group)!.picture!.bytes)
    await expect(f.ops.groups.setPicture('admin', { group, image: PDF })).rejects.toThrow(/unsupported image type/)
  })

  it('adds, promotes, demotes and removes participants with a status for each', async () => {
    const added = await f.ops.groups.participants('admin', { group, action: 'add', participants: [`+${PHONE.D}`, PHONE.NOBODY, PHONE.C] })
    expect(added).toEqual({
      group,
      action: 'add',
      results: [
        { participant: pn(PHONE.D), status: 200, ok: true },
        { participant: pn(PHONE.NOBODY), status: 404, ok: false },
        { participant: pn(PHONE.C), status: 409, ok: false }
      ]
    })
    expect(member(await seenByMember(), PHONE.D)?.admin).toBeNull()

    const promoted = await f.ops.groups.participants('admin', { group, action: 'promote', participants: [PHONE.B] })
    expect(promoted.results).toEqual([{ participant: pn(PHONE.B), status: 200, ok: true }])
    expect(member(await seenByMember(), PHONE.B)?.admin).toBe('admin')
    await f.ops.groups.participants('admin', { group, action: 'demote', participants: [PHONE.B] })
    expect(member(await seenByMember(), PHONE.B)?.admin).toBeNull()

    const removed = await f.ops.groups.participants('admin', { group, action: 'remove', participants: [PHONE.D] })
    expect(removed.results).toEqual([{ participant: pn(PHONE.D), status: 200, ok: true }])
    const seen = await seenByMember()
    expect(member(seen, PHONE.D)).toBeUndefined()
    expect(seen.size).toBe(3)
  })

  it('turns announce and locked on and off; a member may not', async () => {
    expect(await f.ops.groups.settings('admin', { group, announce: true, locked: true })).toEqual({ group, announce: true, locked: true })
    expect(await seenByMember()).toMatchObject({ announce: true, locked: true })
    await expect(f.ops.groups.settings('member', { group, announce: false })).rejects.toThrow(OperationError)
    await expect(f.ops.groups.setSubject('member', { group, subject: 'hijacked' })).rejects.toThrow(/forbidden/)
    await f.ops.groups.settings('admin', { group, announce: false })
    expect(await seenByMember()).toMatchObject({ announce: false, locked: true })
    await f.ops.groups.settings('admin', { group, locked: false })
    expect(await seenByMember()).toMatchObject({ announce: false, locked: false, subject: 'Ops team 2' })
  })

  it('the member leaves: the admin sees it gone, and the member no longer lists the group', async () => {
    expect(await f.ops.groups.leave('member', { group })).toEqual({ group, left: true })
    const seen = await f.ops.groups.info('admin', { group })
    expect(member(seen, PHONE.B)).toBeUndefined()
    expect((await f.ops.groups.list('member')).map(g => g.id)).not.toContain(group)
    await expect(f.ops.groups.info('member', { group })).rejects.toThrow(OperationError)
  })

  it('rejects bad input with typed errors and writes nothing', async () => {
    const before = f.messageRows()
    await expect(f.ops.groups.info('admin', { group: '120363000000000000@g.us' })).rejects.toThrow('group 120363000000000000@g.us not found')
    await expect(f.ops.groups.info('admin', { group: '120363000000000000@g.us' })).rejects.toThrow(NotFoundError)
    await expect(f.ops.groups.info('admin', { group: PHONE.B })).rejects.toThrow(/^group: must be a group JID/)
    await expect(f.ops.groups.create('admin', { subject: 'x', participants: ['12ab'] })).rejects.toThrow(/^participants\.0: /)
    await expect(f.ops.groups.create('admin', { subject: '', participants: [PHONE.C] })).rejects.toThrow(/^subject: /)
    await expect(f.ops.groups.create('admin', { subject: 'x', participants: [] })).rejects.toThrow(ValidationError)
    await expect(f.ops.groups.participants('admin', { group, action: 'kick' as never, participants: [PHONE.C] })).rejects.toThrow(/^action: /)
    await expect(f.ops.groups.settings('admin', { group })).rejects.toThrow('give announce, locked or both')
    await expect(f.ops.groups.setPicture('admin', { group, image: 'not base64!' })).rejects.toThrow(/not valid base64/)
    await expect(f.ops.groups.list('nobody')).rejects.toThrow(NotFoundError)
    await expect(f.ops.groups.list('idle')).rejects.toThrow(ConflictError)
    await expect(f.ops.groups.create('idle', { subject: 'x', participants: [PHONE.C] })).rejects.toThrow('session not linked')
    expect(f.messageRows()).toBe(before)
    expect((await f.ops.groups.list('admin')).map(g => g.id)).toEqual([group])
  })
})
