/**
 * One client WebSocket: the Noise handshake, then binary nodes both ways. Anything malformed closes this
 * connection only, with a log line; the simulator and its other connections go on.
 */
import { type BinaryNode, binaryNodeToString, decodeBinaryNode, encodeBinaryNode, proto } from '@whiskeysockets/baileys'
import type { Logger } from 'pino'
import type { WebSocket } from 'ws'
import { encodeFrame, FrameReader, MAX_FRAME_BYTES, MAX_HANDSHAKE_FRAME_BYTES } from './frames.js'
import type { Device } from './model.js'
import { NoiseServerHandshake, type TransportCipher } from './noise.js'
import type { KeyPair } from './root-key.js'
import type { Registration } from './pairing.js'

export interface ConnectionHost {
  serverStatic: KeyPair
  /** extra latency for every frame sent, a fault */
  frameDelayMs(): number
  onHandshake(conn: ClientConnection, clientStaticKey: Buffer, payload: proto.ClientPayload): void
  onNode(conn: ClientConnection, node: BinaryNode): void | Promise<void>
  onClose(conn: ClientConnection): void
}

let nextConnectionId = 1

export class ClientConnection {
  readonly id = nextConnectionId++
  device?: Device
  registration?: Registration
  /** resolvers waiting for an iq reply from the client, by id */
  readonly pendingReplies = new Map<string, (node: BinaryNode) => void>()
  private readonly reader = new FrameReader()
  private handshake?: NoiseServerHandshake
  private transport?: TransportCipher
  private closed = false
  private sendChain: Promise<void> = Promise.resolve()
  private receiveChain: Promise<void> = Promise.resolve()

  constructor(
    private readonly ws: WebSocket,
    private readonly host: ConnectionHost,
    readonly logger: Logger
  ) {
    this.handshake = new NoiseServerHandshake(host.serverStatic)
    this.reader.maxFrameBytes = MAX_HANDSHAKE_FRAME_BYTES
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (!isBinary) return this.fail(new Error('text frame'))
      // Frames are processed strictly in order, even when handling one awaits.
      this.receiveChain = this.receiveChain.then(() => this.onData(data)).catch(err => this.fail(err))
    })
    ws.on('close', () => this.onClosed())
    ws.on('error', err => this.logger.debug({ err }, 'websocket error'))
  }

  get isOpen(): boolean {
    return !this.closed
  }

  private async onData(data: Buffer): Promise<void> {
    if (this.closed) return
    for (const frame of this.reader.push(data)) {
      if (this.transport) {
        const node = await decodeBinaryNode(this.transport.decrypt(frame))
        if (this.logger.isLevelEnabled('trace')) this.logger.trace({ xml: binaryNodeToString(node) }, 'recv')
        if (node.tag === 'iq' && (node.attrs.type === 'result' || node.attrs.type === 'error')) {
          const waiter = this.pendingReplies.get(node.attrs.id)
          if (waiter) {
            this.pendingReplies.delete(node.attrs.id)
            waiter(node)
          }
        }
        await this.host.onNode(this, node)
      } else if (this.handshake) {
        this.onHandshakeFrame(frame)
      }
    }
  }

  private helloDone = false

  private onHandshakeFrame(frame: Buffer): void {
    const handshake = this.handshake!
    if (!this.helloDone) {
      this.helloDone = true
      this.ws.send(encodeFrame(handshake.serverHello(frame)))
      return
    }
    const { clientStaticKey, payload, transport } = handshake.clientFinish(frame)
    this.handshake = undefined
    this.transport = transport
    this.reader.maxFrameBytes = MAX_FRAME_BYTES
    this.host.onHandshake(this, clientStaticKey, payload)
  }

  /** Encodes, encrypts and sends a node; frames keep their order even under an injected delay. */
  send(node: BinaryNode): void {
    if (this.closed || !this.transport) return
    if (this.logger.isLevelEnabled('trace')) this.logger.trace({ xml: binaryNodeToString(node) }, 'send')
    const delay = this.host.frameDelayMs()
    const transport = this.transport
    const write = () => {
      if (this.ws.readyState !== this.ws.OPEN) return
      // Encrypt at write time: the transport counter must follow the order frames leave in.
      this.ws.send(encodeFrame(transport.encrypt(encodeBinaryNode(node))))
    }
    if (delay > 0) {
      // Latency, not throughput: each frame leaves `delay` after it was sent, never earlier than the frame before it.
      const due = Date.now() + delay
      this.sendChain = this.sendChain.then(() => new Promise<void>(resolve => setTimeout(() => { write(); resolve() }, Math.max(0, due - Date.now()))))
    } else {
      this.sendChain = this.sendChain.then(write)
    }
  }

  /** Sends an iq and resolves with the client's reply. */
  request(node: BinaryNode, timeoutMs = 15_000): Promise<BinaryNode> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pendingReplies.delete(node.attrs.id)
        reject(new Error(`no reply to ${node.attrs.id}`))
      }, timeoutMs)
      this.pendingReplies.set(node.attrs.id, reply => {
        clearTimeout(timer)
        resolve(reply)
      })
      this.send(node)
    })
  }

  /** Sends a final node (a stream error or failure) and closes once everything queued has gone out. */
  end(finalNode?: BinaryNode): void {
    if (this.closed) return
    if (finalNode) this.send(finalNode)
    void this.sendChain.then(() => this.ws.close())
    this.markClosed()
  }

  /** Drops the TCP connection without a goodbye, like a network failure. */
  drop(): void {
    this.ws.terminate()
    this.markClosed()
  }

  private fail(err: unknown): void {
    if (this.closed) return
    this.logger.warn({ err: err instanceof Error ? err.message : String(err), connection: this.id }, 'closing malformed connection')
    this.ws.terminate()
    this.markClosed()
  }

  private onClosed(): void {
    this.markClosed()
  }

  private markClosed(): void {
    if (this.closed) return
    this.closed = true
    this.pendingReplies.clear()
    this.host.onClose(this)
  }
}
