import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startSimulator, type Simulator } from '../../src/sim/index.js'
import { linkByQr, type TestClient } from '../support/baileys-client.js'

describe('simulator: linking and messaging with real Baileys', () => {
  let sim: Simulator
  const clients: TestClient[] = []
  beforeAll(async () => { sim = await startSimulator() })
  afterAll(async () => {
    for (const c of clients) c.stop()
    await sim.stop()
  })

  it('links two clients by QR and routes text both ways with receipts', async () => {
    const alice = await linkByQr(sim, '15550000001', 'Alice')
    const bob = await linkByQr(sim, '15550000002', 'Bob')
    clients.push(alice, bob)
    expect(alice.me?.id).toMatch(/^15550000001:\d+@s\.whatsapp\.net$/)
    expect(alice.me?.lid).toMatch(/@lid$/)
    expect(alice.me?.name).toBe('Alice')

    const sent = await alice.sock!.sendMessage('15550000002@s.whatsapp.net', { text: 'hello bob' })
    const got = await bob.waitForMessage(m => m.key.id === sent!.key.id)
    expect(got.message?.conversation ?? got.message?.extendedTextMessage?.text).toBe('hello bob')
    expect(got.key.fromMe).toBe(false)
    expect(got.pushName).toBe('Alice')

    const reply = await bob.sock!.sendMessage(got.key.remoteJid!, { text: 'hi alice' })
    const back = await alice.waitForMessage(m => m.key.id === reply!.key.id)
    expect(back.message?.conversation ?? back.message?.extendedTextMessage?.text).toBe('hi alice')

    // delivery receipt from bob's devices reaches alice as a status update
    await alice.waitForStatus(sent!.key.id!, 3)
    // the phone of bob decrypted it too
    const onPhone = await sim.account('15550000002').phoneDevice.waitForMessage(m => m.id === sent!.key.id)
    expect(onPhone.text).toBe('hello bob')
  })
})
