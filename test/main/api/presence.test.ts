/** The presence routes: Bob (another session of the host, a real Baileys client) sees Alice online, typing, recording. */
import type { BaileysEventMap } from '@whiskeysockets/baileys'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startSimulator, type Simulator } from '../../../src/sim/index.js'
import { expectError } from './api-fixture.js'
import { type LinkedApi, startLinkedApi } from './linked-fixture.js'

const PHONE = { A: '15550013001', B: '15550013002' } as const
const S = '/api/v1/sessions/alice'
const pn = (phone: string) => `${phone}@s.whatsapp.net`

describe('the presence routes', () => {
  let sim: Simulator
  let api: LinkedApi

  beforeAll(async () => {
    sim = await startSimulator()
    api = await startLinkedApi(sim, { alice: { phone: PHONE.A, name: 'Alice' }, bob: { phone: PHONE.B, name: 'Bob' } })
  })
  afterAll(async () => {
    await api?.stop()
    await sim?.stop()
  })

  /** Bob's next presence update about Alice in `state`, listened for from before `action` */
  function bobSees(state: string, action: () => Promise<unknown>): Promise<unknown> {
    const bob = api.harness.host.sessions.get('bob').socket!
    const jid = pn(PHONE.A)
    const seen = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => { bob.ev.off('presence.update', listener); reject(new Error(`Bob did not see ${state}`)) }, 10_000)
      const listener = (u: BaileysEventMap['presence.update']) => {
        if (u.id === jid && u.presences[jid]?.lastKnownPresence === state) { clearTimeout(timer); bob.ev.off('presence.update', listener); resolve() }
      }
      bob.ev.on('presence.update', listener)
    })
    return Promise.all([seen, action()])
  }

  it('goes online and offline, types and records; Bob sees each', async () => {
    const bob = api.harness.host.sessions.get('bob').socket!
    await bobSees('available', async () => {
      const answer = await api.call('POST', `${S}/presence`, { token: api.tokens.alice, body: { presence: 'available' } })
      expect(answer.body).toEqual({ presence: 'available' })
      await bob.presenceSubscribe(pn(PHONE.A))
    })
    await bobSees('unavailable', () => api.admin('POST', `${S}/presence`, { body: { presence: 'unavailable' } }))
    await bobSees('available', () => api.admin('POST', `${S}/presence`, { body: { presence: 'available' } }))
    await bobSees('composing', async () => {
      const answer = await api.admin('POST', `${S}/chatstate`, { body: { chat: `+${PHONE.B}`, state: 'composing' } })
      expect(answer.body).toEqual({ chat: pn(PHONE.B), state: 'composing' })
    })
    await bobSees('recording', () => api.admin('POST', `${S}/chatstate`, { body: { chat: PHONE.B, state: 'recording' } }))
    // Baileys shows "paused" as available
    await bobSees('available', () => api.admin('POST', `${S}/chatstate`, { body: { chat: PHONE.B, state: 'paused' } }))
  })

  it('refuses bad input per status, writing nothing', async () => {
    const before = api.messageRows()
    expectError(await api.call('POST', `${S}/presence`, { body: { presence: 'available' } }), 401, { code: 'unauthorized', message: 'missing bearer token' })
    expectError(await api.call('POST', `${S}/chatstate`, { token: api.tokens.bob, body: { chat: PHONE.B, state: 'composing' } }), 403, { code: 'forbidden', message: 'a session token reaches only its own session' })
    expectError(await api.admin('POST', '/api/v1/sessions/ghost/presence', { body: { presence: 'available' } }), 404, { code: 'not_found', message: 'session ghost not found' })
    expectError(await api.admin('POST', '/api/v1/sessions/idle/presence', { body: { presence: 'available' } }), 409, { code: 'conflict', message: 'session not linked' })
    expectError(await api.admin('POST', `${S}/presence`, { body: { presence: 'busy' } }), 400, { code: 'validation_failed', message: 'invalid request', details: [{ path: 'presence', message: expect.any(String) }] })
    const bad = await api.admin('POST', `${S}/chatstate`, { body: { chat: '555', state: 'typing' } })
    expect(bad.body.error.details.map((d: { path: string }) => d.path)).toEqual(['chat', 'state'])
    expect(api.messageRows()).toBe(before)
  })
})
