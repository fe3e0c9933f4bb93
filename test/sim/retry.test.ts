import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startSimulator, type Simulator } from '../../src/sim/index.js'
import type { MemoryKeyStore } from '../../src/sim/memory-keys.js'
import { linkByQr, type TestClient } from '../support/baileys-client.js'

describe('simulator: retry receipts', () => {
  let sim: Simulator
  const clients: TestClient[] = []
  beforeAll(async () => { sim = await startSimulator() })
  afterAll(async () => {
    for (const c of clients) c.stop()
    await sim.stop()
  })

  it('forwards a retry receipt to the sender, whose resend then decrypts', async () => {
    const alice = await linkByQr(sim, '15550009001', 'Alice')
    const bob = await linkByQr(sim, '15550009002', 'Bob')
    clients.push(alice, bob)
    const text = (m: (typeof bob.messages)[number]) => m.message?.conversation ?? m.message?.extendedTextMessage?.text
    const first = await alice.sock!.sendMessage('15550009002@s.whatsapp.net', { text: 'first' })
    await bob.waitForMessage(m => m.key.id === first!.key.id && text(m) === 'first')

    // Bob forgets every Signal session: Alice's next message (a plain `msg` on her side) cannot be decrypted,
    // so Bob asks for it again with a retry receipt carrying his keys.
    const keys = bob.keys as MemoryKeyStore
    await keys.set({ session: Object.fromEntries(keys.ids('session').map(id => [id, null])) })
    const routed: { tag: string; attrs: Record<string, string>; to: string }[] = []
    const deliver = sim.world.deliver.bind(sim.world)
    sim.world.deliver = (device, node) => {
      routed.push({ tag: node.tag, attrs: node.attrs, to: `${device.account.phone}:${device.id}` })
      deliver(device, node)
    }
    const second = await alice.sock!.sendMessage('15550009002@s.whatsapp.net', { text: 'second' })
    const got = await bob.waitForMessage(m => m.key.id === second!.key.id && text(m) === 'second', 20_000)
    expect(got.key.fromMe).toBe(false)
    sim.world.deliver = deliver
    const retry = routed.find(r => r.tag === 'receipt' && r.attrs.type === 'retry' && r.attrs.id === second!.key.id)
    expect(retry, 'a retry receipt was routed to the sender').toBeDefined()
    expect(retry!.to.startsWith('15550009001:')).toBe(true)
    expect(retry!.attrs.from).toMatch(/^\d+:\d+@(lid|s\.whatsapp\.net)$/)
    // the resend went to Bob's device alone and he stored a session again
    expect(keys.ids('session').length).toBeGreaterThan(0)
  })
})
