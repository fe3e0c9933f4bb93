/**
 * The wuzapi dialect's user and group endpoints against the simulator, from the seed's curl examples: user info,
 * number checks, avatars and contacts as the simulator's accounts have them; groups listed and read in wuzapi's
 * shape (GroupJID in a GET body or the query), invite link, photo and name changed where the simulator and another
 * member see them; and create, topic, announce, locked, participants and leave.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startSimulator, type Simulator } from '../../../../../src/sim/index.js'
import { JPEG } from '../../../operations/fixture.js'
import { type LinkedApi, startLinkedApi } from '../../linked-fixture.js'
import { expectData, expectWuzapiError, RFC3339, wuzapiClient } from './fixture.js'

const PHONE = { A: '15550023001', B: '15550023002', P: '15550023009', C: '15550023003', NOBODY: '15550023099' } as const
const pn = (phone: string) => `${phone}@s.whatsapp.net`

describe('the wuzapi user and group endpoints', () => {
  let sim: Simulator
  let api: LinkedApi
  let wz: ReturnType<typeof wuzapiClient>
  let group: string
  const alice = (method: string, path: string, body?: unknown) => wz(method, path, { token: api.tokens.alice, body })
  const bobSees = async (jid: string) => api.harness.host.sessions.get('bob').socket!.groupMetadata(jid)

  beforeAll(async () => {
    sim = await startSimulator()
    api = await startLinkedApi(sim, { alice: { phone: PHONE.A, name: 'Alice' }, bob: { phone: PHONE.B, name: 'Bob' } })
    wz = wuzapiClient(api)
    await sim.createAccount(PHONE.P, 'Pat')
    await sim.createAccount(PHONE.C, 'Cat')
    group = `${sim.createGroup(PHONE.A, 'Super Group', [PHONE.B, PHONE.P]).id}@g.us`
  })
  afterAll(async () => {
    await api?.stop()
    await sim?.stop()
  })

  it('gets user details and checks numbers (seed examples)', async () => {
    const info = expectData(await alice('POST', '/user/info', { Phone: [PHONE.P, PHONE.NOBODY] }))
    expect(info).toEqual({
      Users: {
        [pn(PHONE.P)]: { Devices: [], PictureID: '', Status: 'Hey there! I am using WhatsApp.', VerifiedName: null },
        [pn(PHONE.NOBODY)]: { Devices: [], PictureID: '', Status: '', VerifiedName: null }
      }
    })
    const check = expectData(await alice('POST', '/user/check', { Phone: [PHONE.P, `+${PHONE.NOBODY}`] }))
    expect(check).toEqual({
      Users: [
        { IsInWhatsapp: true, JID: pn(PHONE.P), Query: PHONE.P, VerifiedName: '' },
        { IsInWhatsapp: false, JID: pn(PHONE.NOBODY), Query: `+${PHONE.NOBODY}`, VerifiedName: '' }
      ]
    })
    expectWuzapiError(await alice('POST', '/user/check', {}), 400, 'Missing Phone in Payload')
    expectWuzapiError(await alice('POST', '/user/info', { Phone: ['abc'] }), 400, 'Could not parse Phone')
  })

  it('gets an avatar with a GET body (the seed\'s JSON fixed; as printed it is malformed) and by POST', async () => {
    sim.setProfilePicture(PHONE.P, JPEG)
    const printed = `{"Phone":"${PHONE.P}","Preview":true]}`
    expectWuzapiError(await wz('GET', '/user/avatar', { token: api.tokens.alice, raw: printed, headers: { 'content-type': 'application/json' } }), 400, 'Could not decode Payload')
    const avatar = expectData(await alice('GET', '/user/avatar', { Phone: PHONE.P, Preview: true }))
    expect(avatar).toEqual({ URL: expect.stringMatching(/^https:\/\//), ID: '', Type: 'preview', DirectPath: expect.stringMatching(/^\//) })
    expect(avatar.URL.endsWith(avatar.DirectPath)).toBe(true)
    const full = expectData(await alice('POST', '/user/avatar', { Phone: PHONE.P }))
    expect(full.Type).toBe('image')
    expectWuzapiError(await alice('POST', '/user/avatar', { Phone: PHONE.C }), 404, 'No avatar found')
  })

  it('lists contacts with their push names', async () => {
    const { id } = await sim.sendText(PHONE.P, PHONE.A, 'hi from Pat')
    await api.harness.waitFor('message', e => e.sessionId === 'alice' && e.id === id)
    const contacts = expectData(await alice('GET', '/user/contacts'))
    expect(contacts[pn(PHONE.P)]).toEqual({ BusinessName: '', FirstName: '', Found: true, FullName: '', PushName: 'Pat' })
  })

  it('lists groups and reads one in wuzapi\'s shape, with GroupJID in a GET body or the query', async () => {
    const { Groups } = expectData(await alice('GET', '/group/list'))
    const listed = Groups.find((g: { JID: string }) => g.JID === group)
    expect(Object.keys(listed).sort()).toEqual([
      'AnnounceVersionID', 'DisappearingTimer', 'GroupCreated', 'IsAnnounce', 'IsEphemeral', 'IsLocked', 'JID', 'Name', 'NameSetAt', 'NameSetBy',
      'OwnerJID', 'ParticipantVersionID', 'Participants', 'Topic', 'TopicID', 'TopicSetAt', 'TopicSetBy'
    ])
    expect(listed).toMatchObject({ Name: 'Super Group', OwnerJID: pn(PHONE.A), IsAnnounce: false, IsLocked: false, GroupCreated: expect.stringMatching(RFC3339), TopicSetAt: '0001-01-01T00:00:00Z' })
    expect(listed.Participants).toEqual(expect.arrayContaining([
      { IsAdmin: true, IsSuperAdmin: true, JID: pn(PHONE.A) },
      { IsAdmin: false, IsSuperAdmin: false, JID: pn(PHONE.B) },
      { IsAdmin: false, IsSuperAdmin: false, JID: pn(PHONE.P) }
    ]))
    const info = expectData(await alice('GET', '/group/info', { GroupJID: group }))
    expect(info).toEqual(listed)
    expect(expectData(await wz('GET', `/group/info?groupJID=${group}`, { token: api.tokens.alice }))).toEqual(listed)
    expectWuzapiError(await alice('GET', '/group/info'), 400, 'Missing GroupJID in Payload')
    expectWuzapiError(await alice('GET', '/group/info', { GroupJID: PHONE.P }), 400, 'Could not parse Group JID')
    expectWuzapiError(await alice('GET', '/group/info', { GroupJID: '120362023605733675@g.us' }), 404, 'group 120362023605733675@g.us not found')
  })

  it('gets the invite link, and a new one with Reset', async () => {
    const { InviteLink } = expectData(await alice('GET', '/group/invitelink', { GroupJID: group }))
    expect(InviteLink).toMatch(/^https:\/\/chat\.whatsapp\.com\/\S+$/)
    expect(InviteLink).toBe(`https://chat.whatsapp.com/${sim.world.findGroup(group)!.inviteCode}`)
    const reset = expectData(await wz('GET', `/group/invitelink?groupJID=${group}&reset=true`, { token: api.tokens.alice }))
    expect(reset.InviteLink).not.toBe(InviteLink)
  })

  it('changes the photo (the seed\'s "-" is refused) and the name; the simulator and Bob see them', async () => {
    expectWuzapiError(await alice('POST', '/group/photo', { GroupJID: group, Image: '-' }), 400, /^image: /)
    expect(sim.world.findGroup(group)!.picture).toBeUndefined()
    const photo = expectData(await alice('POST', '/group/photo', { GroupJID: group, Image: `data:image/jpeg;base64,${JPEG.toString('base64')}` }))
    expect(photo).toEqual({ Details: 'Group Photo set successfully', PictureID: '' })
    expect(sim.world.findGroup(group)!.picture!.bytes.subarray(0, 3)).toEqual(Buffer.from([0xff, 0xd8, 0xff]))

    expect(expectData(await alice('POST', '/group/name', { GroupJID: group, Name: 'New Group Name' }))).toEqual({ Details: 'Group Name set successfully' })
    expect(sim.world.findGroup(group)!.subject).toBe('New Group Name')
    expect((await bobSees(group)).subject).toBe('New Group Name')
    expectWuzapiError(await alice('POST', '/group/name', { GroupJID: group }), 400, 'Missing Name in Payload')
    // Bob is no admin: WhatsApp refuses, and wuzapi answers 500
    expectWuzapiError(await wz('POST', '/group/photo', { token: api.tokens.bob, body: { GroupJID: group, Image: `data:image/jpeg;base64,${JPEG.toString('base64')}` } }), 500, /could not set the group picture/)
  })

  it('creates a group, sets its topic, announce and locked, updates participants, and leaves it', async () => {
    const created = expectData(await alice('POST', '/group/create', { name: 'My New Group', participants: [PHONE.B, PHONE.P] }))
    expect(created).toMatchObject({ JID: expect.stringMatching(/@g\.us$/), Name: 'My New Group', OwnerJID: pn(PHONE.A) })
    const jid: string = created.JID
    expect((await bobSees(jid)).subject).toBe('My New Group')

    expect(expectData(await alice('POST', '/group/topic', { GroupJID: jid, Topic: 'Where we talk' }))).toEqual({ Details: 'Group Topic set successfully' })
    expect(sim.world.findGroup(jid)!.description?.text).toBe('Where we talk')
    expect(expectData(await alice('POST', '/group/announce', { groupjid: jid, announce: true }))).toEqual({ Details: 'Group Announce set successfully' })
    expect(expectData(await alice('POST', '/group/locked', { groupjid: jid, locked: true }))).toEqual({ Details: 'Group Locked set successfully' })
    expect(sim.world.findGroup(jid)).toMatchObject({ announce: true, locked: true })
    expect(expectData(await alice('GET', '/group/info', { GroupJID: jid }))).toMatchObject({ Topic: 'Where we talk', IsAnnounce: true, IsLocked: true })

    const added = expectData(await alice('POST', '/group/updateparticipants', { GroupJID: jid, Phone: [PHONE.C, PHONE.NOBODY], Action: 'add' }))
    expect(added).toEqual({ Details: 'Group Participants updated successfully', Participants: [
      { JID: pn(PHONE.C), Status: 200, Success: true }, { JID: pn(PHONE.NOBODY), Status: 404, Success: false }
    ] })
    expect(sim.world.findGroup(jid)!.participants.has(PHONE.C)).toBe(true)
    expectData(await alice('POST', '/group/updateparticipants', { GroupJID: jid, Phone: [PHONE.B], Action: 'promote' }))
    expect(sim.world.findGroup(jid)!.participants.get(PHONE.B)?.role).toBe('admin')
    expectData(await alice('POST', '/group/updateparticipants', { GroupJID: jid, Phone: [PHONE.C], Action: 'remove' }))
    expect(sim.world.findGroup(jid)!.participants.has(PHONE.C)).toBe(false)
    expectWuzapiError(await alice('POST', '/group/updateparticipants', { GroupJID: jid, Phone: [PHONE.C], Action: 'kick' }), 400, 'Invalid Action: use add, remove, promote or demote')

    expect(expectData(await alice('POST', '/group/leave', { GroupJID: jid }))).toEqual({ Details: 'Left group successfully' })
    expect(sim.world.findGroup(jid)!.participants.has(PHONE.A)).toBe(false)
    expectWuzapiError(await alice('POST', '/group/create', { name: 'No one' }), 400, 'Missing Participants in Payload')
  })

  it('answers an unlinked session with "No session" and a bad token with 401', async () => {
    expectWuzapiError(await wz('GET', '/group/list', { token: api.tokens.idle }), 500, 'No session')
    expectWuzapiError(await wz('POST', '/user/check', { token: api.tokens.idle, body: { Phone: [PHONE.P] } }), 500, 'No session')
    expectWuzapiError(await wz('GET', '/group/list', { token: 'nope-nope-nope-nope' }), 401, 'Unauthorized')
    const before = sim.world.findGroup(group)!.subject
    expectWuzapiError(await wz('POST', '/group/name', { token: api.tokens.idle, body: { GroupJID: group, Name: 'Not this' } }), 500, 'No session')
    expect(sim.world.findGroup(group)!.subject).toBe(before)
  })
})
