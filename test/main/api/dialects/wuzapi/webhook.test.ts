/**
 * A webhook set through the wuzapi dialect, end to end: a real local receiver gets wuzapi's payloads for the
 * subscribed events only, signed with the HMAC key set through `/session/hmac/config`.
 */
import { createHmac } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startSimulator, type Simulator } from '../../../../../src/sim/index.js'
import { type LinkedApi, startLinkedApi } from '../../linked-fixture.js'
import { Receiver, type ReceivedRequest } from '../../../webhooks/receiver.js'
import { expectData, wuzapiClient } from './fixture.js'

const PHONE = { A: '15550024001', B: '15550024002', P: '15550024009' } as const
const KEY = 'a-wuzapi-hmac-key-of-at-least-32-characters'
const pn = (phone: string) => `${phone}@s.whatsapp.net`

interface Posted { type: string; event: any; state?: string }
const posted = (r: ReceivedRequest): Posted => JSON.parse(new URLSearchParams(r.text).get('jsonData') ?? '{}')

describe('a webhook set through the wuzapi dialect', () => {
  let sim: Simulator
  let api: LinkedApi
  let receiver: Receiver
  let wz: ReturnType<typeof wuzapiClient>

  beforeAll(async () => {
    sim = await startSimulator()
    api = await startLinkedApi(sim, { alice: { phone: PHONE.A, name: 'Alice' }, bob: { phone: PHONE.B, name: 'Bob' } })
    receiver = await Receiver.start()
    wz = wuzapiClient(api)
    await sim.createAccount(PHONE.P, 'Pat')
  })
  afterAll(async () => {
    await api?.stop()
    await receiver?.stop()
    await sim?.stop()
  })

  it('delivers the subscribed events in wuzapi\'s format, signed with the HMAC key', async () => {
    const alice = (method: string, path: string, body?: unknown) => wz(method, path, { token: api.tokens.alice, body })
    expectData(await alice('POST', '/webhook', { webhookURL: receiver.url, events: ['Message'] }))
    expectData(await alice('POST', '/session/hmac/config', { hmac_key: KEY }))

    const { id } = await sim.sendText(PHONE.P, PHONE.A, 'hello hook')
    await receiver.waitUntil(rs => rs.some(r => posted(r).event?.Info?.ID === id), 'the Message event')
    const message = posted(receiver.requests.find(r => posted(r).event?.Info?.ID === id)!)
    expect(message).toMatchObject({ type: 'Message', event: { Info: { Chat: pn(PHONE.P), IsFromMe: false }, Message: { conversation: 'hello hook' } } })

    // now chat presence only: Bob's typing and recording arrive, the phone's text in between does not
    expectData(await alice('PUT', '/webhook', { webhook: receiver.url, events: ['ChatPresence'], active: true }))
    const bob = api.harness.host.sessions.get('bob').socket!
    await bob.sendPresenceUpdate('composing', pn(PHONE.A))
    await receiver.waitUntil(rs => rs.some(r => posted(r).type === 'ChatPresence' && posted(r).event.State === 'composing'), 'Bob typing')
    const { id: unseen } = await sim.sendText(PHONE.P, PHONE.A, 'not for the hook')
    await api.harness.waitFor('message', e => e.sessionId === 'alice' && e.id === unseen)
    await bob.sendPresenceUpdate('recording', pn(PHONE.A))
    await receiver.waitUntil(rs => rs.some(r => posted(r).type === 'ChatPresence' && posted(r).event.Media === 'audio'), 'Bob recording')

    const types = receiver.requests.map(r => posted(r).type)
    expect(new Set(types)).toEqual(new Set(['Message', 'ChatPresence']))
    expect(receiver.requests.some(r => posted(r).event?.Info?.ID === unseen)).toBe(false)
    for (const r of receiver.requests) {
      expect(r.headers['content-type']).toBe('application/x-www-form-urlencoded')
      expect(r.headers['x-hmac-signature']).toBe(createHmac('sha256', KEY).update(r.body).digest('hex'))
    }
  })
})
