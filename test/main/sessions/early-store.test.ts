/**
 * Messages are stored before Baileys acknowledges them to WhatsApp: when the host announces a message, the row is in
 * the database, Baileys has not yet started sending its receipt (its debug log says when it does), and the simulator
 * still holds the stanza as unacknowledged; so a crash at that point gets it delivered again. The later upsert adds
 * no second row and no second event.
 */
import pino from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startSimulator, type Simulator } from '../../../src/sim/index.js'
import { HostHarness, tempDir } from '../../support/host-harness.js'

const ME = '15556660001'
const OTHER = '15556660002'
const THIRD = '15556660003'

describe('messages stored before their receipt', () => {
  let sim: Simulator
  let h: HostHarness
  /** ids Baileys logged "sending receipt for messages" for, in order */
  const receiptsSent: string[] = []
  const cleanups: (() => Promise<void>)[] = []

  beforeAll(async () => {
    sim = await startSimulator()
    const dir = await tempDir()
    // WaDock's own logs silent, Baileys' at debug: its sendReceipt logs the ids before it sends
    const logger = pino({ level: 'silent' }, {
      write(line: string) {
        const entry = JSON.parse(line) as { msg?: string; messageIds?: string[] }
        if (entry.msg === 'sending receipt for messages') receiptsSent.push(...(entry.messageIds ?? []))
      }
    })
    h = await HostHarness.start(sim, dir.path, { logger, baileysLogLevel: 'debug' })
    cleanups.push(dir.remove, () => h.stop())
    h.host.sessions.create({ id: 'early' })
    await h.linkByQr(sim, 'early', ME)
    await sim.createAccount(OTHER, 'Other')
    await sim.createAccount(THIRD, 'Third')
  })

  afterAll(async () => {
    for (const c of cleanups.reverse()) await c()
    await sim?.stop()
  })

  const companion = () => [...sim.account(ME).devices.values()].find(d => d.kind === 'companion')!

  it('a 1:1 and a group message are in the database while still unacknowledged, once', async () => {
    const group = sim.createGroup(OTHER, 'Early birds', [ME, THIRD])
    const seenAt: { id: string; chat: string; stored: boolean; receiptSent: boolean; unacknowledged: boolean }[] = []
    const unsubscribe = h.host.events.subscribe(event => {
      if (event.type !== 'message' || event.sessionId !== 'early') return
      seenAt.push({
        id: event.id,
        chat: event.chat,
        stored: !!h.host.store.messages.get('early', event.chat, event.id, event.fromMe),
        receiptSent: receiptsSent.includes(event.id),
        unacknowledged: companion().pending.has(`message:${event.id}`)
      })
    })
    try {
      const direct = await sim.sendText(OTHER, ME, 'first, then the receipt')
      const inGroup = await sim.sendText(THIRD, `${group.id}@g.us`, 'in the group')
      await h.waitFor('message', e => e.id === direct.id)
      await h.waitFor('message', e => e.id === inGroup.id)
      // the receipt follows: the simulator stops holding the stanzas
      const end = Date.now() + 10_000
      while (companion().pending.has(`message:${direct.id}`) || companion().pending.has(`message:${inGroup.id}`)) {
        if (Date.now() > end) throw new Error('the messages were never acknowledged')
        await new Promise(resolve => setTimeout(resolve, 20))
      }
      await new Promise(resolve => setTimeout(resolve, 300))
      expect(receiptsSent).toEqual(expect.arrayContaining([direct.id, inGroup.id]))
      for (const id of [direct.id, inGroup.id]) {
        expect(seenAt.filter(s => s.id === id)).toEqual([{ id, chat: expect.any(String), stored: true, receiptSent: false, unacknowledged: true }])
      }
      const rows = h.host.store.messages.list({ sessionId: 'early', limit: 100 }).filter(m => m.messageId === direct.id || m.messageId === inGroup.id)
      expect(rows.map(r => ({ chat: r.chatJid, sender: r.senderJid, text: r.text, type: r.type })).sort((a, b) => a.text!.localeCompare(b.text!))).toEqual([
        { chat: `${OTHER}@s.whatsapp.net`, sender: `${OTHER}@s.whatsapp.net`, text: 'first, then the receipt', type: 'conversation' },
        { chat: `${group.id}@g.us`, sender: expect.stringMatching(/@(lid|s\.whatsapp\.net)$/), text: 'in the group', type: 'conversation' }
      ])
      expect(rows.every(r => r.raw && r.timestamp)).toBe(true)
    } finally {
      unsubscribe()
    }
  })
})
