/**
 * What happens after the Noise handshake: a registration gets QR refs, a login is checked against the device
 * that linked, then `success`, the offline queue, `<ib><offline/>` and (once per device) the history-sync
 * bootstrap that ends Baileys' initial-sync wait (wa-protocol.md §1.5, §3).
 */
import { deflateSync } from 'node:zlib'
import { type BinaryNode, proto } from '@whiskeysockets/baileys'
import type { ClientConnection } from './connection.js'
import { type Account, type Device, accountUserJid } from './model.js'
import { issueRefs, pairDeviceNode, type QrTiming, registrationFromPayload } from './pairing.js'
import { unixNow } from './jids.js'
import type { World } from './world.js'

export interface LoginOptions {
  qrTiming: QrTiming
  qrRefCount: number
}

export function startRegistration(world: World, conn: ClientConnection, staticKey: Buffer, payload: proto.ClientPayload, opts: LoginOptions): void {
  const registration = registrationFromPayload(payload, staticKey)
  conn.registration = { ...registration, refs: issueRefs(opts.qrRefCount, opts.qrTiming) }
  conn.send(pairDeviceNode(world.nextStanzaId(), conn.registration.refs))
}

export function login(world: World, conn: ClientConnection, staticKey: Buffer, payload: proto.ClientPayload): void {
  const phone = payload.username ? String(payload.username) : ''
  const account = world.findAccount(phone)
  const device = account?.devices.get(payload.device ?? 0)
  if (!device || device.kind !== 'companion' || !device.noiseKey?.equals(staticKey)) {
    // Unknown or unlinked device: Baileys maps 401 to loggedOut.
    conn.end({ tag: 'failure', attrs: { reason: '401', location: 'sim' } })
    return
  }
  if (device.connection && device.connection !== conn) {
    device.connection.end({ tag: 'stream:error', attrs: {}, content: [{ tag: 'conflict', attrs: { type: 'replaced' } }] })
  }
  conn.device = device
  device.connection = conn
  conn.send({
    tag: 'success',
    attrs: {
      t: String(unixNow()),
      lid: `${account!.lid}:${device.id}@lid`,
      display_name: account!.name,
      creation: String(device.linkedAt),
      location: 'sim',
      props: '1'
    }
  })
  const queued = [...device.pending.values()]
  for (const node of queued) conn.send({ ...node, attrs: { ...node.attrs, offline: '1' } })
  conn.send({ tag: 'ib', attrs: { from: '@s.whatsapp.net' }, content: [{ tag: 'offline', attrs: { count: String(queued.length) } }] })
  if (device.awaitingBootstrap) {
    device.awaitingBootstrap = false
    conn.send(historyBootstrap(world, account!))
  }
}

/**
 * The phone's first history sync, inline. Sent from the own JID (so Baileys treats it as fromMe) with the push
 * name, it ends the client's wait for initial sync and gives it the name it needs before sending presence.
 */
function historyBootstrap(world: World, account: Account): BinaryNode {
  const ownJid = accountUserJid(account, 'pn')
  const history = proto.HistorySync.encode({
    syncType: proto.HistorySync.HistorySyncType.INITIAL_BOOTSTRAP,
    conversations: [],
    pushnames: [{ id: ownJid, pushname: account.name }]
  }).finish()
  const message = proto.Message.encode({
    protocolMessage: {
      type: proto.Message.ProtocolMessage.Type.HISTORY_SYNC_NOTIFICATION,
      historySyncNotification: {
        syncType: proto.Message.HistorySyncType.INITIAL_BOOTSTRAP,
        chunkOrder: 0,
        progress: 100,
        initialHistBootstrapInlinePayload: deflateSync(history)
      }
    }
  }).finish()
  return {
    tag: 'message',
    attrs: { from: ownJid, id: world.nextStanzaId().toUpperCase().replace(/[^A-Z0-9]/g, ''), t: String(unixNow()), type: 'text', category: 'peer', notify: account.name },
    content: [{ tag: 'plaintext', attrs: {}, content: message }]
  }
}

export function detach(world: World, conn: ClientConnection): Device | undefined {
  const device = conn.device
  if (!device || device.connection !== conn) return undefined
  device.connection = undefined
  if (device.available) {
    device.available = false
    device.account.lastSeen = unixNow()
  }
  void world
  return device
}
