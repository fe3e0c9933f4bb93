/** The contact routes against the simulator: stored contacts, number checks, user info, profile pictures; bad input. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { simulatorSocketOptions, startSimulator, type Simulator } from '../../../src/sim/index.js'
import { JPEG } from '../operations/fixture.js'
import { expectError } from './api-fixture.js'
import { type LinkedApi, startLinkedApi } from './linked-fixture.js'

const PHONE = { A: '15550012001', P: '15550012009', NOBODY: '15550012999' } as const
const S = '/api/v1/sessions/alice'
const pn = (phone: string) => `${phone}@s.whatsapp.net`

describe('the contact routes', () => {
  let sim: Simulator
  let api: LinkedApi

  beforeAll(async () => {
    sim = await startSimulator()
    api = await startLinkedApi(sim, { alice: { phone: PHONE.A, name: 'Alice' } })
    await sim.createAccount(PHONE.P, 'Pat')
  })
  afterAll(async () => {
    await api?.stop()
    await sim?.stop()
  })

  it('lists the contacts the store learnt from a message', async () => {
    const { id } = await sim.sendText(PHONE.P, PHONE.A, 'hi, I am Pat')
    await api.harness.waitFor('message', e => e.id === id)
    const listed = await api.call('GET', `${S}/contacts`, { token: api.tokens.alice })
    expect(listed.status).toBe(200)
    expect(listed.body.total).toBe(listed.body.contacts.length)
    expect(listed.body.contacts).toContainEqual(expect.objectContaining({ phone_number: pn(PHONE.P), push_name: 'Pat' }))
  })

  it('checks numbers and gives a user\'s info by user or jid', async () => {
    const checked = await api.admin('POST', `${S}/contacts/check`, { body: { numbers: [`+${PHONE.P}`, PHONE.NOBODY] } })
    expect(checked.body).toEqual({ results: [
      { number: PHONE.P, exists: true, jid: pn(PHONE.P) },
      { number: PHONE.NOBODY, exists: false, jid: null }
    ] })
    const byUser = await api.admin('POST', `${S}/contacts/info`, { body: { user: PHONE.P } })
    expect(byUser.status).toBe(200)
    expect(byUser.body).toMatchObject({ jid: pn(PHONE.P), phone_number: pn(PHONE.P), lid: `${sim.account(PHONE.P).lid}@lid`, push_name: 'Pat' })
    expect(Object.keys(byUser.body).sort()).toEqual(['about', 'about_set_at', 'jid', 'lid', 'name', 'phone_number', 'picture_url', 'push_name'])
    expect((await api.admin('POST', `${S}/contacts/info`, { body: { jid: `${sim.account(PHONE.P).lid}@lid` } })).body.phone_number).toBe(pn(PHONE.P))
    expectError(await api.admin('POST', `${S}/contacts/info`, { body: { user: PHONE.NOBODY } }), 404, { code: 'not_found', message: `${PHONE.NOBODY} is not on WhatsApp` })
  })

  it('gives a profile picture\'s URL, and 404 when there is none', async () => {
    expectError(await api.admin('GET', `${S}/contacts/${pn(PHONE.P)}/picture`), 404, { code: 'not_found', message: `${pn(PHONE.P)} has no profile picture` })
    sim.setProfilePicture(PHONE.P, JPEG)
    const picture = await api.admin('GET', `${S}/contacts/${PHONE.P}/picture`)
    expect(picture.status).toBe(200)
    expect(picture.body).toEqual({ jid: pn(PHONE.P), url: expect.stringMatching(/^https:\/\//) })
    const res = await fetch(picture.body.url, { dispatcher: simulatorSocketOptions(sim.info()).mediaDispatcher } as RequestInit)
    expect(Buffer.from(await res.arrayBuffer()).subarray(0, 3)).toEqual(Buffer.from([0xff, 0xd8, 0xff]))
  })

  it('refuses bad input per status, writing nothing', async () => {
    const before = api.messageRows()
    const body = { numbers: [PHONE.P] }
    expectError(await api.call('POST', `${S}/contacts/check`, { body }), 401, { code: 'unauthorized', message: 'missing bearer token' })
    expectError(await api.call('GET', `${S}/contacts`, { token: api.tokens.idle }), 403, { code: 'forbidden', message: 'a session token reaches only its own session' })
    expectError(await api.admin('GET', '/api/v1/sessions/ghost/contacts'), 404, { code: 'not_found', message: 'session ghost not found' })
    expectError(await api.admin('POST', '/api/v1/sessions/idle/contacts/check', { body }), 409, { code: 'conflict', message: 'session not linked' })
    const bad = await api.admin('POST', `${S}/contacts/check`, { body: { numbers: ['12', 'abc'] } })
    expect(bad.body.error.details.map((d: { path: string }) => d.path)).toEqual(['numbers.0', 'numbers.1'])
    expectError(await api.admin('POST', `${S}/contacts/check`, { body: { numbers: [] } }), 400, { code: 'validation_failed', message: 'invalid request', details: [{ path: 'numbers', message: expect.any(String) }] })
    expectError(await api.admin('POST', `${S}/contacts/info`, { body: {} }), 400, { code: 'validation_failed', message: 'invalid request', details: [{ path: 'user', message: 'give user or jid (one of them)' }] })
    expectError(await api.admin('POST', `${S}/contacts/info`, { body: { user: PHONE.P, jid: PHONE.P } }), 400, { code: 'validation_failed', message: 'invalid request', details: [{ path: 'user', message: 'give user or jid (one of them)' }] })
    expectError(await api.admin('GET', `${S}/contacts/nope/picture`), 400, { code: 'validation_failed', message: 'invalid request', details: [{ path: 'jid', message: expect.any(String) }] })
    expect(api.messageRows()).toBe(before)
  })
})
