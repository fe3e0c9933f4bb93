/**
 * The life of a linked device against real Baileys clients: linking by pairing code, logging in again with saved
 * credentials, logout and server-side unlink, the offline queue and redelivery, and every fault the simulator can
 * inject. Each test asserts what the clients actually received and the DisconnectReason they actually closed with.
 */
import { DisconnectReason, type WAMessage, type WASocket } from '@whiskeysockets/baileys'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startSimulator, type Simulator } from '../../src/sim/index.js'
import type { Device } from '../../src/sim/model.js'
import { linkByQr, TestClient, type ClientOptions } from '../support/baileys-client.js'

const PEER = '15550009999'

const textOf = (m: WAMessage) => m.message?.conversation ?? m.message?.extendedTextMessage?.text ?? undefined
const jidOf = (phone: string) => `${phone}@s.whatsapp.net`
/** How Baileys reports a connection the server cut without a word: the socket closed (428), or was reset (408). */
const CUT = [DisconnectReason.connectionClosed, DisconnectReason.connectionLost]

async function control(sim: Simulator, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`http://127.0.0.1:${sim.port}/control${path}`, {
    method,
    headers: body === undefined ? undefined : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body)
  })
  return { status: res.status, body: await res.json() }
}

/** The simulator's record of the companion device a client is linked as. */
function deviceOf(sim: Simulator, client: TestClient): Device {
  const [user, id] = client.me!.id.split('@')[0].split(':')
  const device = sim.account(user).devices.get(Number(id))
  if (!device) throw new Error(`no device ${client.me!.id}`)
  return device
}

/** Resolves with the node once the client's socket receives a stanza matching Baileys' callback `event`. */
function nextNode(sock: WASocket, event: string): Promise<unknown> {
  return new Promise(resolve => sock.ws.once(event, resolve))
}

/**
 * Resolves once the simulator processed an acknowledgement from `device` after which none of `keys` is pending any
 * more, with the id of the connection it came over.
 */
function whenAcknowledged(sim: Simulator, device: Device, keys: string[], timeoutMs = 15_000): Promise<{ connectionId?: number }> {
  const world = sim.world
  const original = world.acknowledge
  return new Promise((resolve, reject) => {
    const restore = () => { world.acknowledge = original }
    const timer = setTimeout(() => {
      restore()
      reject(new Error(`still pending: ${keys.filter(k => device.pending.has(k)).join(', ')}`))
    }, timeoutMs)
    world.acknowledge = function (this: typeof world, ...args: Parameters<typeof original>) {
      original.apply(this, args)
      if (args[0] === device && keys.every(k => !device.pending.has(k))) {
        clearTimeout(timer)
        restore()
        resolve({ connectionId: device.connection?.id })
      }
    }
  })
}

/**
 * Resolves once the client is open and finished its initial sync (history bootstrap and app state). Only then does
 * Baileys skip its 20-second wait for a history sync on the next login, as it does against WhatsApp.
 */
function settled(client: TestClient): Promise<unknown> {
  return client.until(() => client.connection === 'open' && (client.creds.accountSyncCounter ?? 0) > 0, 15_000, 'initial sync')
}

/** The client can still message both ways with the virtual phone of PEER. */
async function expectTwoWay(sim: Simulator, client: TestClient, label: string): Promise<void> {
  const phone = client.me!.id.split(':')[0]
  const sent = await client.sock!.sendMessage(jidOf(PEER), { text: `${label}: to peer` })
  const onPhone = await sim.account(PEER).phoneDevice.waitForMessage(m => m.id === sent!.key.id)
  expect(onPhone.text).toBe(`${label}: to peer`)
  const { id } = await sim.sendText(PEER, phone, `${label}: from peer`)
  const got = await client.waitForMessage(m => m.key.id === id)
  expect(textOf(got)).toBe(`${label}: from peer`)
}

describe('simulator lifecycle with real Baileys', () => {
  let sim: Simulator
  const clients: TestClient[] = []
  const track = (c: TestClient) => (clients.push(c), c)
  const newClient = (options?: ClientOptions) => track(new TestClient(sim.info(), options))
  const link = async (phone: string, name?: string, options?: ClientOptions) => {
    const client = track(await linkByQr(sim, phone, name, options))
    await settled(client)
    return client
  }
  /** stops a client and resolves once its socket reported the close */
  const stopped = async (c: TestClient) => {
    const closed = c.waitForClose()
    c.stop()
    await closed
  }

  beforeAll(async () => {
    sim = await startSimulator()
    await sim.createAccount(PEER, 'Peer')
  })
  afterAll(async () => {
    for (const c of clients) c.stop()
    await sim.stop()
  })

  describe('linking by pairing code', () => {
    it('links the client that shows the code; it restarts (515), logs in and messages', async () => {
      const phone = '15550001001'
      const client = newClient()
      client.connect()
      await client.waitForQr()
      // Baileys does not wait for the server's answer to its companion_hello; a person types the code only after the
      // client showed it, so wait for that answer before the phone enters the code
      const helloAnswered = nextNode(client.sock!, 'CB:iq,,link_code_companion_reg')
      const code = await client.sock!.requestPairingCode(phone)
      expect(code).toMatch(/^[1-9A-HJ-NP-TV-Z]{8}$/)
      await helloAnswered

      const ready = client.waitForReady(20_000)
      const res = await control(sim, 'POST', `/accounts/${phone}/link-code`, { code })
      expect(res.status).toBe(200)
      expect(res.body.device).toMatch(new RegExp(`^${phone}:\\d+@s\\.whatsapp\\.net$`))
      await ready
      await settled(client)

      expect(client.closes.map(c => c.statusCode)).toEqual([DisconnectReason.restartRequired])
      expect(client.me?.id).toBe(res.body.device)
      expect(client.me?.lid).toMatch(/^\d+:\d+@lid$/)
      expect(client.connection).toBe('open')
      await expectTwoWay(sim, client, 'code-linked')
    })

    it('refuses a wrong code (404) and leaves the client unlinked; a code for a phone nobody waits for is 404', async () => {
      const phone = '15550001002'
      const client = newClient()
      client.connect()
      await client.waitForQr()
      const helloAnswered = nextNode(client.sock!, 'CB:iq,,link_code_companion_reg')
      const code = await client.sock!.requestPairingCode(phone)
      await helloAnswered
      const wrong = [...code].map(ch => (ch === 'A' ? 'B' : 'A')).join('')

      const refused = await control(sim, 'POST', `/accounts/${phone}/link-code`, { code: wrong })
      expect(refused.status).toBe(404)
      expect(refused.body.error).toEqual(expect.any(String))
      // the account may exist now, but it has no linked device: only its phone
      expect((await control(sim, 'GET', '/accounts')).body.find((a: any) => a.phone === phone)?.devices ?? [{ id: 0, online: true }])
        .toEqual([{ id: 0, online: true }])
      expect(client.connection).not.toBe('open')
      expect(client.closes).toEqual([])

      const nobody = await control(sim, 'POST', '/accounts/15550001003/link-code', { code })
      expect(nobody.status).toBe(404)
      await expect(sim.enterLinkCode('15550001003', code)).rejects.toThrow(/no client waits/)

      // the registration survived the wrong attempt: the right code still links it
      const ready = client.waitForReady(20_000)
      const linked = await sim.enterLinkCode(phone, code)
      expect(linked.device).toMatch(new RegExp(`^${phone}:\\d+@s\\.whatsapp\\.net$`))
      await ready
      expect(client.me?.id).toBe(linked.device)
    })
  })

  describe('saved credentials', () => {
    it('logs in again without a QR and messages both ways', async () => {
      const first = await link('15550002001', 'Saved')
      const device = deviceOf(sim, first)
      await stopped(first)

      const again = newClient({ auth: { creds: first.creds, keys: first.keys } })
      const qrs: string[] = []
      again.connect()
      void again.sock!.ev.on('connection.update', u => { if (u.qr) qrs.push(u.qr) })
      await again.waitForReady()
      await again.until(() => again.connection === 'open', 15_000, 'open')
      expect(qrs).toEqual([])
      expect(again.lastQr).toBeUndefined()
      expect(again.closes).toEqual([])
      expect(again.me?.id).toBe(first.me?.id)
      // the same device logged in again; nothing new was linked
      expect(device.connection?.isOpen).toBe(true)
      expect([...sim.account('15550002001').devices.keys()]).toEqual([0, device.id])
      await expectTwoWay(sim, again, 'saved-creds')
    })
  })

  describe('logout and unlink', () => {
    it('logout removes the device and its credentials are refused with 401', async () => {
      const phone = '15550003001'
      const client = await link(phone)
      const deviceId = deviceOf(sim, client).id
      const before = (await control(sim, 'GET', '/accounts')).body.find((a: any) => a.phone === phone)
      expect(before.devices).toContainEqual({ id: deviceId, online: true })

      const closed = client.waitForClose()
      await client.sock!.logout()
      expect(await closed).toBe(DisconnectReason.loggedOut)

      const again = newClient({ auth: { creds: client.creds, keys: client.keys } })
      const refused = again.waitForClose()
      again.connect()
      expect(await refused).toBe(DisconnectReason.loggedOut)
      expect(again.lastQr).toBeUndefined()

      const after = (await control(sim, 'GET', '/accounts')).body.find((a: any) => a.phone === phone)
      expect(after.devices.map((d: any) => d.id)).toEqual([0])
    })

    it('unlink while online closes the client with 401', async () => {
      const phone = '15550003002'
      const client = await link(phone)
      const closed = client.waitForClose()
      const res = await control(sim, 'POST', `/accounts/${phone}/unlink`)
      expect(res).toEqual({ status: 200, body: { devices: 1 } })
      expect(await closed).toBe(DisconnectReason.loggedOut)
      expect((await control(sim, 'GET', `/accounts/${phone}`)).body.devices).toEqual([{ id: 0, online: true }])

      const again = newClient({ auth: { creds: client.creds, keys: client.keys } })
      const refused = again.waitForClose()
      again.connect()
      expect(await refused).toBe(DisconnectReason.loggedOut)
    })

    it('unlink while offline makes the next login fail with 401', async () => {
      const phone = '15550003003'
      const client = await link(phone)
      await stopped(client)
      expect((await control(sim, 'GET', `/accounts/${phone}`)).body.devices).toContainEqual({ id: deviceOf(sim, client).id, online: false })
      expect(await control(sim, 'POST', `/accounts/${phone}/unlink`)).toEqual({ status: 200, body: { devices: 1 } })

      const again = newClient({ auth: { creds: client.creds, keys: client.keys } })
      const refused = again.waitForClose()
      again.connect()
      expect(await refused).toBe(DisconnectReason.loggedOut)
      expect(again.lastQr).toBeUndefined()
      expect(again.closes.map(c => c.statusCode)).toEqual([DisconnectReason.loggedOut])
    })
  })

  describe('offline queue', () => {
    it('queues what arrives while a client is stopped and delivers each stanza exactly once at its next login', async () => {
      const alicePhone = '15550004001'
      const bobPhone = '15550004002'
      const alice = await link(alicePhone, 'Alice')
      const bob = await link(bobPhone, 'Bob')
      const bobDevice = deviceOf(sim, bob)
      await stopped(bob)

      const texts = ['offline one', 'offline two', 'offline three']
      const ids: string[] = []
      for (const text of texts) {
        const sent = await alice.sock!.sendMessage(jidOf(bobPhone), { text })
        ids.push(sent!.key.id!)
      }
      const fromPhone = await sim.sendText(PEER, bobPhone, 'offline from a phone')
      ids.push(fromPhone.id)
      texts.push('offline from a phone')
      // Bob's phone got Alice's messages, so the simulator routed them, and Bob's device holds them all.
      for (const id of ids.slice(0, 3)) await sim.account(bobPhone).phoneDevice.waitForMessage(m => m.id === id)
      for (const id of ids) expect(bobDevice.pending.has(`message:${id}`)).toBe(true)

      const allAcked = whenAcknowledged(sim, bobDevice, ids.map(id => `message:${id}`))

      const back = newClient({ auth: { creds: bob.creds, keys: bob.keys } })
      back.connect()
      await back.waitForReady()
      const received = await back.until(() => {
        const got = ids.map(id => back.messages.filter(m => m.key.id === id))
        return got.every(list => list.length > 0) && got
      }, 15_000, 'all queued messages')
      await allAcked
      expect(received.map(list => list.map(textOf))).toEqual(texts.map(t => [t]))
      for (const id of ids) expect(back.messages.filter(m => m.key.id === id)).toHaveLength(1)
      expect(back.messages.find(m => m.key.id === ids[0])?.pushName).toBe('Alice')
    })

    it('redelivers a message the device received but never acknowledged; the ack then clears it', async () => {
      const phone = '15550004003'
      const client = await link(phone, undefined, { reconnectOnAnyClose: true })
      const device = deviceOf(sim, client)
      const firstConnection = device.connection!
      // From here on nothing the client sends reaches the simulator: not its receipt, not its ack.
      const raw = (client.sock!.ws as any).socket as { send: (...args: unknown[]) => void }
      raw.send = (...args: unknown[]) => { (args.find(a => typeof a === 'function') as ((err?: Error) => void) | undefined)?.() }

      const { id } = await sim.sendText(PEER, phone, 'never acknowledged')
      const got = await client.waitForMessage(m => m.key.id === id)
      expect(textOf(got)).toBe('never acknowledged')
      const key = `message:${id}`
      expect(device.pending.has(key)).toBe(true)

      const acked = whenAcknowledged(sim, device, [key])
      const dropped = client.waitForClose()
      expect(sim.fault({ action: 'drop', phone })).toEqual({ affected: 1 })
      expect(await dropped).not.toBe(DisconnectReason.loggedOut)
      const ack = await acked
      // acknowledged by the new connection: the stanza was delivered to it again
      expect(ack.connectionId).toBeDefined()
      expect(ack.connectionId).not.toBe(firstConnection.id)
      expect(device.pending.has(key)).toBe(false)
      // Baileys could not decrypt the copy again (its ratchet moved on), acked it without a second upsert
      expect(client.messages.filter(m => m.key.id === id)).toHaveLength(1)
      await expectTwoWay(sim, client, 'after-redelivery')
    })
  })

  describe('faults', () => {
    it('drop: the client closes with a non-401 code, reconnects and works again', async () => {
      const phone = '15550005001'
      const client = await link(phone, undefined, { reconnectOnAnyClose: true })
      const closed = client.waitForClose()
      expect(sim.fault({ action: 'drop', phone })).toEqual({ affected: 1 })
      const code = await closed
      expect(CUT).toContain(code)
      await client.waitForReady()
      await client.until(() => client.connection === 'open', 15_000, 'open')
      expect(deviceOf(sim, client).connection?.isOpen).toBe(true)
      await expectTwoWay(sim, client, 'after-drop')
    })

    it('refuse: connection attempts fail during the window and succeed afterwards', async () => {
      const phone = '15550005002'
      const client = await link(phone, undefined, { reconnectOnAnyClose: true })
      const windowMs = 1200
      const from = Date.now()
      sim.fault({ action: 'refuse', ms: windowMs })
      const closed = client.waitForClose()
      sim.fault({ action: 'drop', phone })
      expect(CUT).toContain(await closed)

      // a client that registers during the window is turned away at once, before it sees a QR: the connection is
      // cut, which Baileys reports as 408 (connectionLost), as for a host that refuses connections
      const fresh = newClient()
      const refused = fresh.waitForClose()
      fresh.connect()
      expect(await refused).toBe(DisconnectReason.connectionLost)
      expect(Date.now() - from).toBeLessThan(windowMs)
      expect(fresh.lastQr).toBeUndefined()

      // the dropped client keeps retrying: refused while the window lasts, logged in once it is over
      await client.waitForReady()
      const openedAt = Date.now()
      const retries = client.closes.filter(c => c.at >= from).map(c => c.statusCode)
      expect(CUT).toContain(retries[0])
      expect(retries.length).toBeGreaterThan(1)
      expect(retries.slice(1).every(code => code === DisconnectReason.connectionLost)).toBe(true)
      expect(openedAt - from).toBeGreaterThanOrEqual(windowMs)
      await client.until(() => client.connection === 'open', 15_000, 'open')
      await expectTwoWay(sim, client, 'after-refuse')
    })

    it('replace: the client closes with 440 connectionReplaced', async () => {
      const phone = '15550005003'
      const client = await link(phone)
      const closed = client.waitForClose()
      expect(sim.fault({ action: 'replace', phone })).toEqual({ affected: 1 })
      expect(await closed).toBe(DisconnectReason.connectionReplaced)
    })

    it('a second login of the same device replaces the first one with 440', async () => {
      const phone = '15550005004'
      const first = await link(phone)
      const replaced = first.waitForClose()
      const second = newClient({ auth: { creds: first.creds, keys: first.keys } })
      second.connect()
      expect(await replaced).toBe(DisconnectReason.connectionReplaced)
      await second.waitForReady()
      await second.until(() => second.connection === 'open', 15_000, 'open')
      expect(deviceOf(sim, second).connection?.isOpen).toBe(true)
    })

    it('delay: a message still arrives, measurably later, and arrives promptly again after a reset', async () => {
      const phone = '15550005005'
      const client = await link(phone)
      const timeDelivery = async (text: string) => {
        const started = performance.now()
        const { id } = await sim.sendText(PEER, phone, text)
        const got = await client.waitForMessage(m => m.key.id === id)
        expect(textOf(got)).toBe(text)
        return performance.now() - started
      }
      const baseline = await timeDelivery('no delay')
      try {
        sim.fault({ action: 'delay', ms: 300 })
        const delayed = await timeDelivery('with delay')
        expect(delayed).toBeGreaterThanOrEqual(295)
        expect(delayed).toBeGreaterThan(baseline)
      } finally {
        sim.fault({ action: 'delay', ms: 0 })
      }
      // frames already under way keep their order and their latency; once they are out, delivery is prompt again
      await timeDelivery('delay reset')
      const after = await timeDelivery('prompt again')
      expect(after).toBeLessThan(300)
    })

    it('unavailable: the client closes with 503', async () => {
      const phone = '15550005006'
      const client = await link(phone)
      const closed = client.waitForClose()
      expect(sim.fault({ action: 'unavailable', phone })).toEqual({ affected: 1 })
      expect(await closed).toBe(DisconnectReason.unavailableService)
    })
  })

  describe('expire-qr', () => {
    let qrSim: Simulator
    const qrMs = 1000
    beforeAll(async () => { qrSim = await startSimulator({ qrTiming: { firstMs: qrMs, nextMs: qrMs } }) })
    afterAll(async () => { await qrSim.stop() })

    it('makes a QR shown before the fault unscannable; with refs: 1 the next client closes with 408 after its single QR', async () => {
      const waiting = track(new TestClient(qrSim.info(), { qrTimeout: qrMs }))
      waiting.connect()
      const stale = await waiting.waitForQr()
      expect(qrSim.fault({ action: 'expire-qr' })).toEqual({ affected: 1 })
      const res = await fetch(`http://127.0.0.1:${qrSim.port}/control/accounts/15550006001/scan`, {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ qr: stale })
      })
      expect(res.status).toBe(404)
      expect(await res.json()).toEqual({ error: expect.any(String) })
      expect(qrSim.listAccounts().find(a => a.phone === '15550006001')).toBeUndefined()

      // a client that registers after the fault gets fresh refs that scan fine
      const fresh = track(await linkByQr(qrSim, '15550006002', 'Fresh', { qrTimeout: qrMs }))
      expect(fresh.me?.id).toMatch(/^15550006002:\d+@s\.whatsapp\.net$/)
      waiting.stop()

      qrSim.fault({ action: 'expire-qr', refs: 1 })
      const single = track(new TestClient(qrSim.info(), { qrTimeout: qrMs }))
      const qrs: number[] = []
      const closed = single.waitForClose(10_000)
      single.connect()
      single.sock!.ev.on('connection.update', u => { if (u.qr) qrs.push(Date.now()) })
      expect(await closed).toBe(DisconnectReason.timedOut)
      const closedAt = Date.now()
      expect(qrs).toHaveLength(1)
      expect(closedAt - qrs[0]).toBeGreaterThanOrEqual(qrMs - 50)
      expect(single.me).toBeUndefined()
    })
  })
})
