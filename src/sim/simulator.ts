/**
 * The WhatsApp simulator: one HTTP server carries the WebSocket endpoint Baileys connects to and the JSON
 * control API; a second, HTTPS, server plays the media hosts. Start it with `startSimulator()`.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { type BinaryNode, getBinaryNodeChild, proto } from '@whiskeysockets/baileys'
import pino, { type Logger } from 'pino'
import { WebSocketServer } from 'ws'
import { ClientConnection, type ConnectionHost } from './connection.js'
import { handleControlRequest } from './control-http.js'
import { createGroup, handleGroupIq } from './groups.js'
import { handleAppState, handleEncrypt, handleMediaConn, handlePrivacy, handleProfilePicture, handleStatus, handleUsync, iqError, result } from './iq.js'
import { deviceJid, normalizePhone, unixNow } from './jids.js'
import { detach, login, startRegistration } from './login.js'
import { type MediaServer, type MediaServerOptions, startMediaServer } from './media-server.js'
import { handleClientAck, handleClientChatstate, handleClientMessage, handleClientPresence, handleClientReceipt } from './messaging.js'
import type { Account, Device, Group } from './model.js'
import {
  buildPairSuccess, openCompanionBundle, parseQr, type QrTiming, unwrapCompanionEphemeral, verifyDeviceSignature, wrapPrimaryEphemeral
} from './pairing.js'
import { newKeyPair, SIM_ROOT_PUBLIC_KEY_HEX, type KeyPair } from './root-key.js'
import type { PhoneMessage } from './virtual-phone.js'
import { World } from './world.js'

export interface SimulatorOptions {
  host?: string
  port?: number
  logger?: Logger
  /** how long each QR ref is valid; match Baileys' `qrTimeout` when a test shortens it */
  qrTiming?: Partial<QrTiming>
  /** refs per registration (6, as WhatsApp: 60 s + 5 × 20 s) */
  qrRefCount?: number
  media?: MediaServerOptions
}

export interface SimulatorInfo {
  wsUrl: string
  mediaUrl: string
  rootPublicKey: string
  caPem: string
}

export interface AccountSummary {
  phone: string
  lid: string
  name: string
  devices: { id: number; online: boolean }[]
}

export type FaultAction =
  | { action: 'drop'; phone?: string }
  | { action: 'refuse'; ms: number }
  | { action: 'replace'; phone?: string }
  | { action: 'delay'; ms: number }
  | { action: 'expire-qr'; refs?: number }
  | { action: 'unavailable'; phone?: string }

export class NotFoundError extends Error {}

export class Simulator implements ConnectionHost {
  readonly world: World
  readonly serverStatic: KeyPair = newKeyPair()
  private readonly logger: Logger
  private readonly server: Server
  private readonly wss: WebSocketServer
  private media!: MediaServer
  private readonly connections = new Set<ClientConnection>()
  private readonly sockets = new Set<Socket>()
  private refuseUntil = 0
  private delayMs = 0
  private qrTiming: QrTiming
  private qrRefCount: number
  private closed = false
  /** companion_finish waiters by connection, for the pairing-code exchange */
  private readonly codeFinishWaiters = new Map<ClientConnection, (node: BinaryNode) => void>()

  constructor(private readonly options: SimulatorOptions = {}) {
    this.logger = options.logger ?? pino({ level: process.env.WADOCK_SIM_LOG ?? 'silent' })
    this.world = new World(this.logger, () => this.media)
    this.qrTiming = { firstMs: options.qrTiming?.firstMs ?? 60_000, nextMs: options.qrTiming?.nextMs ?? 20_000 }
    this.qrRefCount = options.qrRefCount ?? 6
    this.server = createServer((req, res) => void handleControlRequest(this, req, res))
    this.server.on('connection', socket => {
      this.sockets.add(socket)
      socket.on('close', () => this.sockets.delete(socket))
    })
    this.wss = new WebSocketServer({ noServer: true, maxPayload: 32 * 1024 * 1024 })
    this.server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
      if (Date.now() < this.refuseUntil || this.closed) {
        // Refused like a host that is down: the connection is cut before any answer, so the client's attempt fails at
        // once. (An HTTP 503 answer would leave Baileys waiting out its connect timeout: it listens for
        // `unexpected-response` and never aborts.)
        socket.destroy()
        return
      }
      this.wss.handleUpgrade(req, socket, head, ws => {
        const conn = new ClientConnection(ws, this, this.logger.child({ connection: this.connections.size + 1 }))
        this.connections.add(conn)
      })
    })
  }

  async start(): Promise<this> {
    this.media = await startMediaServer({ logger: this.logger, ...this.options.media })
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject)
      this.server.listen(this.options.port ?? 0, this.options.host ?? '127.0.0.1', () => resolve())
    })
    return this
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port
  }

  info(): SimulatorInfo {
    const host = this.options.host ?? '127.0.0.1'
    return { wsUrl: `ws://${host}:${this.port}/ws/chat`, mediaUrl: this.media.url, rootPublicKey: SIM_ROOT_PUBLIC_KEY_HEX, caPem: this.media.caPem }
  }

  get mediaServer(): MediaServer {
    return this.media
  }

  async stop(): Promise<void> {
    if (this.closed) return
    this.closed = true
    for (const conn of this.connections) conn.drop()
    this.wss.close()
    for (const socket of this.sockets) socket.destroy()
    await new Promise<void>(resolve => this.server.close(() => resolve()))
    await this.media.close()
  }

  // --- ConnectionHost -----------------------------------------------------------------------------------------

  frameDelayMs(): number {
    return this.delayMs
  }

  onHandshake(conn: ClientConnection, staticKey: Buffer, payload: proto.ClientPayload): void {
    const isRegistration = !!payload.devicePairingData || !payload.username || String(payload.username) === '0'
    if (isRegistration) startRegistration(this.world, conn, staticKey, payload, { qrTiming: this.qrTiming, qrRefCount: this.qrRefCount })
    else login(this.world, conn, staticKey, payload)
  }

  onClose(conn: ClientConnection): void {
    this.connections.delete(conn)
    this.codeFinishWaiters.delete(conn)
    detach(this.world, conn)
  }

  async onNode(conn: ClientConnection, node: BinaryNode): Promise<void> {
    if (!conn.device) return this.onRegistrationNode(conn, node)
    switch (node.tag) {
      case 'iq':
        if (node.attrs.type === 'get' || node.attrs.type === 'set') this.onIq(conn, node)
        return
      case 'message':
        return handleClientMessage(this.world, conn, node)
      case 'receipt':
        return handleClientReceipt(this.world, conn, node)
      case 'ack':
        return handleClientAck(this.world, conn, node)
      case 'presence':
        return handleClientPresence(this.world, conn, node)
      case 'chatstate':
        return handleClientChatstate(this.world, conn, node)
      case 'call':
        conn.send({ tag: 'ack', attrs: { class: 'call', id: node.attrs.id ?? '', from: node.attrs.to ?? '@s.whatsapp.net' } })
        return
      default:
        // ib (unified_session, offline_batch) and anything else need no answer
        return
    }
  }

  private onIq(conn: ClientConnection, iq: BinaryNode): void {
    const w = this.world
    let reply: BinaryNode
    switch (iq.attrs.xmlns) {
      case 'encrypt': reply = handleEncrypt(w, conn, iq); break
      case 'usync': reply = handleUsync(w, conn, iq); break
      case 'w:g2': reply = handleGroupIq(w, conn, iq); break
      case 'w:profile:picture': reply = handleProfilePicture(w, conn, iq); break
      case 'status': reply = handleStatus(w, conn, iq); break
      case 'w:m': reply = handleMediaConn(w, conn, iq); break
      case 'privacy': reply = handlePrivacy(w, conn, iq); break
      case 'w:sync:app:state': reply = handleAppState(w, conn, iq); break
      case 'abt': reply = result(iq, [{ tag: 'props', attrs: { protocol: '1', hash: 'sim' } }]); break
      case 'blocklist': reply = iq.attrs.type === 'get' ? result(iq, [{ tag: 'list', attrs: {} }]) : result(iq); break
      case 'md': reply = this.onDeviceIq(conn, iq); break
      default: reply = result(iq)
    }
    conn.send(reply)
  }

  /** Logout from the client: the device is removed and its connection ends as loggedOut on the client side. */
  private onDeviceIq(conn: ClientConnection, iq: BinaryNode): BinaryNode {
    const remove = getBinaryNodeChild(iq, 'remove-companion-device')
    if (remove) {
      const device = conn.device!
      this.world.removeDevice(device)
      setTimeout(() => conn.end(), 50).unref()
    }
    return result(iq)
  }

  private onRegistrationNode(conn: ClientConnection, node: BinaryNode): void {
    if (node.tag !== 'iq' || (node.attrs.type !== 'get' && node.attrs.type !== 'set')) return
    const reg = getBinaryNodeChild(node, 'link_code_companion_reg')
    if (reg && conn.registration) {
      const children = Array.isArray(reg.content) ? reg.content : []
      const buf = (tag: string) => {
        const c = children.find(n => n.tag === tag)?.content
        return c instanceof Uint8Array ? Buffer.from(c) : typeof c === 'string' ? Buffer.from(c) : undefined
      }
      if (reg.attrs.stage === 'companion_hello') {
        const wrapped = buf('link_code_pairing_wrapped_companion_ephemeral_pub')
        const phone = normalizePhone((reg.attrs.jid ?? '').split('@')[0])
        if (!wrapped || wrapped.length !== 80 || !phone) return conn.send(iqError(node, 400, 'bad-request'))
        const ref = `2@${this.world.nextStanzaId()}`
        conn.registration.pairingCode = { phone, wrappedCompanionEphemeral: wrapped, ref }
        return conn.send(result(node, [{ tag: 'link_code_companion_reg', attrs: {}, content: [{ tag: 'link_code_pairing_ref', attrs: {}, content: Buffer.from(ref) }] }]))
      }
      if (reg.attrs.stage === 'companion_finish') {
        conn.send(result(node))
        this.codeFinishWaiters.get(conn)?.(reg)
        return
      }
    }
    conn.send(result(node))
  }

  // --- linking ------------------------------------------------------------------------------------------------

  private registrationConnections(): ClientConnection[] {
    return [...this.connections].filter(c => c.isOpen && !c.device && c.registration)
  }

  /** The phone of `phone` scans `qr`; resolves with the new device's JID once it is linked. */
  async scanQr(phoneInput: string, qr: string, name?: string): Promise<{ device: string }> {
    const parsed = parseQr(qr)
    const now = Date.now()
    const conn = parsed && this.registrationConnections().find(c =>
      c.registration!.noiseKey.equals(parsed.noiseKey) &&
      c.registration!.bundle.identityKey.equals(parsed.identityKey) &&
      c.registration!.refs.some(r => r.ref === parsed.ref && now <= r.validUntil))
    if (!parsed || !conn) throw new NotFoundError('unknown or expired QR code')
    const account = await this.world.createAccount(phoneInput, name)
    const device = await this.completeLink(conn, account, parsed.advSecret)
    return { device: deviceJid(account.phone, device.id, 'pn') }
  }

  /** The phone of `phone` enters the 8-character code a waiting client shows. */
  async enterLinkCode(phoneInput: string, code: string): Promise<{ device: string }> {
    const phone = normalizePhone(phoneInput)
    const normalized = code.replace(/[-\s]/g, '').toUpperCase()
    const candidates = this.registrationConnections().filter(c => c.registration!.pairingCode?.phone === phone)
    if (normalized.length !== 8 || !candidates.length) throw new NotFoundError('no client waits for that code')
    const account = await this.world.createAccount(phone)
    for (const conn of candidates) {
      const pairing = conn.registration!.pairingCode!
      const companionEphemeral = await unwrapCompanionEphemeral(pairing.wrappedCompanionEphemeral, normalized)
      const primaryEphemeral = newKeyPair()
      const finished = new Promise<BinaryNode>((resolve, reject) => {
        const timer = setTimeout(() => { this.codeFinishWaiters.delete(conn); reject(new Error('client did not finish')) }, 15_000)
        this.codeFinishWaiters.set(conn, node => { clearTimeout(timer); this.codeFinishWaiters.delete(conn); resolve(node) })
      })
      conn.send({
        tag: 'notification',
        attrs: { from: '@s.whatsapp.net', type: 'link_code_companion_reg', id: this.world.nextStanzaId(), t: String(unixNow()) },
        content: [{
          tag: 'link_code_companion_reg', attrs: { stage: 'primary_hello' },
          content: [
            { tag: 'link_code_pairing_ref', attrs: {}, content: Buffer.from(pairing.ref) },
            { tag: 'primary_identity_pub', attrs: {}, content: account.accountKey.public },
            { tag: 'link_code_pairing_wrapped_primary_ephemeral_pub', attrs: {}, content: await wrapPrimaryEphemeral(primaryEphemeral.public, normalized) }
          ]
        }]
      })
      let advSecret: Buffer
      try {
        const finish = await finished
        const wrappedBundle = (finish.content as BinaryNode[]).find(n => n.tag === 'link_code_pairing_wrapped_key_bundle')?.content
        if (!(wrappedBundle instanceof Uint8Array)) continue
        const opened = openCompanionBundle({ wrappedBundle: Buffer.from(wrappedBundle), companionEphemeral, primaryEphemeral, account })
        if (!opened.companionIdentity.equals(conn.registration!.bundle.identityKey)) continue
        advSecret = opened.advSecret
      } catch (err) {
        this.logger.debug({ err: (err as Error).message }, 'pairing code did not match this client')
        continue
      }
      const device = await this.completeLink(conn, account, advSecret)
      return { device: deviceJid(account.phone, device.id, 'pn') }
    }
    throw new NotFoundError('no client waits for that code')
  }

  private async completeLink(conn: ClientConnection, account: Account, advSecret: Buffer): Promise<Device> {
    const registration = conn.registration!
    const deviceId = account.nextDeviceId++
    const keyIndex = account.nextKeyIndex++
    const reply = await conn.request(buildPairSuccess({
      id: this.world.nextStanzaId(), account, deviceId, keyIndex, identityKey: registration.bundle.identityKey, advSecret
    }))
    if (reply.attrs.type !== 'result' || !verifyDeviceSignature(reply, registration.bundle.identityKey, account)) {
      conn.end({ tag: 'failure', attrs: { reason: '401' } })
      throw new Error('the client did not sign its device identity')
    }
    const device: Device = {
      account, id: deviceId, kind: 'companion', bundle: registration.bundle, noiseKey: registration.noiseKey, keyIndex,
      platform: registration.platform, linkedAt: unixNow(), pending: new Map(), awaitingBootstrap: true, available: false
    }
    account.devices.set(deviceId, device)
    for (const other of this.world.accounts.values()) {
      for (const d of other.devices.values()) {
        if (d.kind === 'companion' && d !== device) this.world.deliver(d, this.world.devicesNotification(account, 'add', device))
      }
    }
    // Linking always ends with a restart: the client reconnects and logs in with its new credentials.
    conn.end({ tag: 'stream:error', attrs: { code: '515' } })
    return device
  }

  // --- control API (TypeScript) --------------------------------------------------------------------------------

  async createAccount(phone: string, name?: string): Promise<{ phone: string; lid: string }> {
    const account = await this.world.createAccount(phone, name)
    return { phone: account.phone, lid: account.lid }
  }

  account(phone: string): Account {
    const account = this.world.findAccount(phone)
    if (!account) throw new NotFoundError(`no account ${phone}`)
    return account
  }

  listAccounts(): AccountSummary[] {
    return [...this.world.accounts.values()].map(a => ({
      phone: a.phone,
      lid: a.lid,
      name: a.name,
      devices: [...a.devices.values()].map(d => ({ id: d.id, online: d.kind === 'phone' || !!d.connection }))
    }))
  }

  async sendText(from: string, to: string, text: string): Promise<{ id: string }> {
    return { id: await this.account(from).phoneDevice.sendText(this.resolveTarget(to), text) }
  }

  async sendImage(from: string, to: string, image: { bytes: Buffer; mimetype: string; caption?: string }): Promise<{ id: string }> {
    return { id: await this.account(from).phoneDevice.sendImage(this.resolveTarget(to), image) }
  }

  async sendReaction(from: string, to: string, target: { id: string; fromMe: boolean; participant?: string }, emoji: string): Promise<{ id: string }> {
    return { id: await this.account(from).phoneDevice.sendReaction(this.resolveTarget(to), target, emoji) }
  }

  private resolveTarget(to: string): string {
    if (to.endsWith('@g.us')) {
      if (!this.world.findGroup(to)) throw new NotFoundError(`no group ${to}`)
      return to
    }
    const account = this.world.findAccount(to)
    if (!account) throw new NotFoundError(`${to} is not on WhatsApp`)
    return account.phone
  }

  received(phone: string): PhoneMessage[] {
    return this.account(phone).phoneDevice.inbox.filter(m => m.direction === 'in')
  }

  /** The phone removes its linked devices: online ones are told at once, offline ones at their next login. */
  unlink(phone: string): { devices: number } {
    const account = this.account(phone)
    const companions = [...account.devices.values()].filter(d => d.kind === 'companion')
    for (const device of companions) {
      device.connection?.end({ tag: 'stream:error', attrs: { code: '401' }, content: [{ tag: 'conflict', attrs: { type: 'device_removed' } }] })
      this.world.removeDevice(device)
    }
    return { devices: companions.length }
  }

  createGroup(creatorPhone: string, subject: string, memberPhones: string[]): Group {
    const creator = this.account(creatorPhone)
    return createGroup(this.world, creator, subject, memberPhones.map(p => this.account(p)))
  }

  setProfilePicture(phone: string, jpeg: Buffer): void {
    const account = this.account(phone)
    const put = this.media.put(jpeg, 'pps')
    account.picture = { id: String(unixNow()), directPath: put.directPath, url: put.url, bytes: jpeg }
  }

  fault(fault: FaultAction): { affected: number } {
    const byPhone = (phone?: string) => [...this.connections].filter(c =>
      c.isOpen && (phone === undefined || c.device?.account.phone === normalizePhone(phone)))
    switch (fault.action) {
      case 'drop': {
        const hit = byPhone(fault.phone)
        for (const c of hit) c.drop()
        return { affected: hit.length }
      }
      case 'refuse':
        this.refuseUntil = Date.now() + fault.ms
        return { affected: 0 }
      case 'delay':
        this.delayMs = fault.ms
        return { affected: this.connections.size }
      case 'replace': {
        const hit = byPhone(fault.phone).filter(c => c.device)
        for (const c of hit) c.end({ tag: 'stream:error', attrs: {}, content: [{ tag: 'conflict', attrs: { type: 'replaced' } }] })
        return { affected: hit.length }
      }
      case 'unavailable': {
        const hit = byPhone(fault.phone).filter(c => c.device)
        for (const c of hit) c.end({ tag: 'stream:error', attrs: { code: '503' } })
        return { affected: hit.length }
      }
      case 'expire-qr': {
        const waiting = this.registrationConnections()
        for (const c of waiting) for (const r of c.registration!.refs) r.validUntil = 0
        if (fault.refs !== undefined) this.qrRefCount = Math.max(1, fault.refs)
        return { affected: waiting.length }
      }
    }
  }
}

export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  return new Simulator(options).start()
}

export { proto }
