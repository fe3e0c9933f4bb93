/**
 * The group routes against the simulator: session `admin` creates and runs a group, session `member` (same host,
 * another account) checks each change through its own GET, the simulator's world holds the picture; bad input.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startSimulator, type Simulator } from '../../../src/sim/index.js'
import { JPEG } from '../operations/fixture.js'
import { expectError } from './api-fixture.js'
import { type LinkedApi, multipart, startLinkedApi } from './linked-fixture.js'

const PHONE = { A: '15550014001', B: '15550014002', C: '15550014003', D: '15550014004', NOBODY: '15550014999' } as const
const pn = (phone: string) => `${phone}@s.whatsapp.net`

describe('the group routes', () => {
  let sim: Simulator
  let api: LinkedApi
  let group = ''
  const G = () => `/api/v1/sessions/admin/groups/${group}`
  const seenByMember = async () => (await api.call('GET', `/api/v1/sessions/member/groups/${group}`, { token: api.tokens.member })).body
  const role = (info: { participants: { phone_number: string; admin: string | null }[] }, phone: string) => info.participants.find(p => p.phone_number === pn(phone))

  beforeAll(async () => {
    sim = await startSimulator()
    api = await startLinkedApi(sim, { admin: { phone: PHONE.A, name: 'Admin' }, member: { phone: PHONE.B, name: 'Member' } })
    await Promise.all([sim.createAccount(PHONE.C, 'Carol'), sim.createAccount(PHONE.D, 'Dave')])
  })
  afterAll(async () => {
    await api?.stop()
    await sim?.stop()
  })

  it('creates a group (201); the member lists it and sees its participants', async () => {
    const created = await api.call('POST', '/api/v1/sessions/admin/groups', { token: api.tokens.admin, body: { subject: 'Ops team', participants: [`+${PHONE.B}`, PHONE.C] } })
    expect(created.status).toBe(201)
    group = created.body.id
    expect(group).toMatch(/@g\.us$/)
    expect(created.body).toMatchObject({ subject: 'Ops team', size: 3, announce: false, locked: false })
    expect(Object.keys(created.body).sort()).toEqual(['addressing_mode', 'announce', 'creation', 'description', 'id', 'locked', 'owner', 'participants', 'size', 'subject', 'subject_owner', 'subject_time'])
    expect(role(created.body, PHONE.A)?.admin).toBe('superadmin')
    const listed = await api.admin('GET', '/api/v1/sessions/member/groups')
    expect(listed.body.total).toBe(listed.body.groups.length)
    expect(listed.body.groups.map((g: { id: string }) => g.id)).toContain(group)
    const seen = await seenByMember()
    expect(seen.participants.map((p: { phone_number: string }) => p.phone_number).sort()).toEqual([pn(PHONE.A), pn(PHONE.B), pn(PHONE.C)])
  })

  it('sets subject and description; the member and the simulator see them; gives the invite link', async () => {
    expect((await api.admin('PUT', `${G()}/subject`, { body: { subject: 'Ops team 2' } })).body).toEqual({ group, subject: 'Ops team 2' })
    expect((await api.admin('PUT', `${G()}/description`, { body: { description: 'Where ops talk' } })).body).toEqual({ group, description: 'Where ops talk' })
    expect(await seenByMember()).toMatchObject({ subject: 'Ops team 2', description: 'Where ops talk' })
    expect(sim.world.findGroup(group)!.subject).toBe('Ops team 2')
    const invite = await api.admin('GET', `${G()}/invite-link`)
    expect(invite.body).toEqual({ group, code: expect.any(String), link: `https://chat.whatsapp.com/${invite.body.code}` })
  })

  it('sets the picture from a multipart upload; the simulator holds it', async () => {
    const answer = await api.admin('PUT', `${G()}/picture`, multipart({}, { name: 'group.jpg', type: 'image/jpeg', bytes: JPEG }))
    expect(answer.status).toBe(200)
    expect(answer.body).toEqual({ group })
    expect(sim.world.findGroup(group)!.picture!.bytes.subarray(0, 3)).toEqual(Buffer.from([0xff, 0xd8, 0xff]))
    expect((await api.admin('GET', `/api/v1/sessions/member/contacts/${group}/picture`)).status).toBe(200)
  })

  it('adds and removes participants, promotes and demotes admins, changes settings', async () => {
    const added = await api.admin('POST', `${G()}/participants`, { body: { participants: [PHONE.D, PHONE.NOBODY] } })
    expect(added.body).toEqual({ group, action: 'add', results: [
      { participant: pn(PHONE.D), status: 200, ok: true },
      { participant: pn(PHONE.NOBODY), status: 404, ok: false }
    ] })
    expect(role(await seenByMember(), PHONE.D)).toMatchObject({ admin: null })
    expect((await api.admin('POST', `${G()}/admins`, { body: { participants: [PHONE.B] } })).body.action).toBe('promote')
    expect(role(await seenByMember(), PHONE.B)?.admin).toBe('admin')
    expect((await api.admin('DELETE', `${G()}/admins`, { body: { participants: [PHONE.B] } })).body.action).toBe('demote')
    expect(role(await seenByMember(), PHONE.B)?.admin).toBeNull()
    const removed = await api.admin('DELETE', `${G()}/participants`, { body: { participants: [PHONE.D] } })
    expect(removed.body.results).toEqual([{ participant: pn(PHONE.D), status: 200, ok: true }])
    expect(role(await seenByMember(), PHONE.D)).toBeUndefined()

    expect((await api.admin('PUT', `${G()}/settings`, { body: { announce: true, locked: true } })).body).toEqual({ group, announce: true, locked: true })
    expect(await seenByMember()).toMatchObject({ announce: true, locked: true })
    // WhatsApp refuses a non-admin: 422
    expectError(await api.admin('PUT', `/api/v1/sessions/member/groups/${group}/subject`, { body: { subject: 'hijacked' } }), 422, { code: 'operation_failed', message: /forbidden/ })
    await api.admin('PUT', `${G()}/settings`, { body: { announce: false, locked: false } })
    expect(await seenByMember()).toMatchObject({ announce: false, locked: false, subject: 'Ops team 2' })
  })

  it('refuses bad input per status, changing nothing', async () => {
    const before = sim.world.findGroup(group)!.subject
    const rows = api.messageRows()
    const body = { subject: 'nope' }
    expectError(await api.call('PUT', `${G()}/subject`, { body }), 401, { code: 'unauthorized', message: 'missing bearer token' })
    expectError(await api.call('PUT', `${G()}/subject`, { token: api.tokens.member, body }), 403, { code: 'forbidden', message: 'a session token reaches only its own session' })
    expectError(await api.admin('PUT', `/api/v1/sessions/ghost/groups/${group}/subject`, { body }), 404, { code: 'not_found', message: 'session ghost not found' })
    expectError(await api.admin('PUT', `/api/v1/sessions/idle/groups/${group}/subject`, { body }), 409, { code: 'conflict', message: 'session not linked' })
    expectError(await api.admin('PUT', '/api/v1/sessions/admin/groups/not-a-group/subject', { body }), 400, { code: 'validation_failed', message: 'invalid request', details: [{ path: 'jid', message: 'must be a group JID (…@g.us)' }] })
    expectError(await api.admin('PUT', `${G()}/subject`, { body: { subject: '' } }), 400, { code: 'validation_failed', message: 'invalid request', details: [{ path: 'subject', message: expect.any(String) }] })
    expectError(await api.admin('PUT', `${G()}/settings`, { body: {} }), 400, { code: 'validation_failed', message: 'invalid request', details: [{ path: '', message: 'give announce, locked or both' }] })
    expectError(await api.admin('PUT', `${G()}/picture`, { body: { image: '%%%' } }), 400, { code: 'validation_failed', message: 'image: not valid base64 (nor a data URL or an http(s) URL)' })
    expectError(await api.admin('POST', `${G()}/participants`, { body: { participants: [] } }), 400, { code: 'validation_failed', message: 'invalid request', details: [{ path: 'participants', message: expect.any(String) }] })
    expectError(await api.admin('GET', '/api/v1/sessions/admin/groups/120363999999999999@g.us'), 404, { code: 'not_found', message: 'group 120363999999999999@g.us not found' })
    expect(sim.world.findGroup(group)!.subject).toBe(before)
    expect(api.messageRows()).toBe(rows)
  })

  it('the member leaves; the admin sees it gone', async () => {
    expect((await api.admin('POST', `/api/v1/sessions/member/groups/${group}/leave`)).body).toEqual({ group, left: true })
    const info = await api.admin('GET', G())
    expect(role(info.body, PHONE.B)).toBeUndefined()
  })
})
