/**
 * Answers to every iq a Baileys client sends. Any iq the simulator does not understand gets an empty result,
 * because an unanswered iq stalls the client for its full query timeout (wa-protocol.md §0.6).
 */
import { createHash, randomBytes } from 'node:crypto'
import { type BinaryNode, getBinaryNodeChild, getBinaryNodeChildren } from '@whiskeysockets/baileys'
import type { ClientConnection } from './connection.js'
import { type Account, type Device, accountUserJid } from './model.js'
import { domainOf, normalizePhone, unixNow } from './jids.js'
import type { World } from './world.js'

export function result(iq: BinaryNode, content?: BinaryNode[]): BinaryNode {
  return { tag: 'iq', attrs: { from: iq.attrs.to ?? '@s.whatsapp.net', type: 'result', id: iq.attrs.id }, ...(content ? { content } : {}) }
}

export function iqError(iq: BinaryNode, code: number, text: string): BinaryNode {
  return {
    tag: 'iq',
    attrs: { from: iq.attrs.to ?? '@s.whatsapp.net', type: 'error', id: iq.attrs.id },
    content: [{ tag: 'error', attrs: { code: String(code), text } }]
  }
}

const firstChild = (node: BinaryNode): BinaryNode | undefined => (Array.isArray(node.content) ? node.content[0] : undefined)
const bytes = (node: BinaryNode | undefined): Buffer | undefined =>
  node?.content instanceof Uint8Array ? Buffer.from(node.content) : typeof node?.content === 'string' ? Buffer.from(node.content) : undefined
const uintChild = (node: BinaryNode | undefined, tag: string): number | undefined => {
  const b = bytes(getBinaryNodeChild(node, tag))
  return b && b.length ? b.readUIntBE(0, b.length) : undefined
}

// --- encrypt: prekeys and bundles ----------------------------------------------------------------------------

export function handleEncrypt(world: World, conn: ClientConnection, iq: BinaryNode): BinaryNode {
  const device = conn.device!
  const child = firstChild(iq)
  if (iq.attrs.type === 'get' && child?.tag === 'count') {
    return result(iq, [{ tag: 'count', attrs: { value: String(device.bundle.preKeys.size) } }])
  }
  if (iq.attrs.type === 'get' && child?.tag === 'digest') {
    return result(iq, [{ tag: 'digest', attrs: {} }])
  }
  if (iq.attrs.type === 'get' && child?.tag === 'key') {
    return result(iq, [{ tag: 'list', attrs: {}, content: bundleNodes(world, getBinaryNodeChildren(child, 'user')) }])
  }
  if (iq.attrs.type === 'set' && getBinaryNodeChild(iq, 'list')) {
    for (const key of getBinaryNodeChildren(getBinaryNodeChild(iq, 'list'), 'key')) {
      const id = uintChild(key, 'id')
      const value = bytes(getBinaryNodeChild(key, 'value'))
      if (id !== undefined && value?.length === 32) device.bundle.preKeys.set(id, value)
    }
    const skey = parseSignedPreKey(getBinaryNodeChild(iq, 'skey'))
    if (skey) device.bundle.signedPreKey = skey
    return result(iq)
  }
  if (iq.attrs.type === 'set' && child?.tag === 'rotate') {
    const skey = parseSignedPreKey(getBinaryNodeChild(child, 'skey'))
    if (skey) device.bundle.signedPreKey = skey
    return result(iq)
  }
  return result(iq)
}

function parseSignedPreKey(node: BinaryNode | undefined) {
  const id = uintChild(node, 'id')
  const publicKey = bytes(getBinaryNodeChild(node, 'value'))
  const signature = bytes(getBinaryNodeChild(node, 'signature'))
  if (id === undefined || publicKey?.length !== 32 || signature?.length !== 64) return undefined
  return { id, publicKey, signature }
}

/** Unknown devices are left out rather than answered with an error, which would fail the whole send. */
function bundleNodes(world: World, users: BinaryNode[]): BinaryNode[] {
  const out: BinaryNode[] = []
  for (const user of users) {
    const device = world.findDevice(user.attrs.jid)
    if (!device) continue
    const bundle = world.takeBundle(device)
    const reg = Buffer.alloc(4)
    reg.writeUInt32BE(bundle.registrationId)
    const id3 = (n: number) => { const b = Buffer.alloc(3); b.writeUIntBE(n, 0, 3); return b }
    out.push({
      tag: 'user',
      attrs: { jid: user.attrs.jid },
      content: [
        { tag: 'registration', attrs: {}, content: reg },
        { tag: 'type', attrs: {}, content: Buffer.from([5]) },
        { tag: 'identity', attrs: {}, content: bundle.identityKey },
        { tag: 'skey', attrs: {}, content: [
          { tag: 'id', attrs: {}, content: id3(bundle.signedPreKey.id) },
          { tag: 'value', attrs: {}, content: bundle.signedPreKey.publicKey },
          { tag: 'signature', attrs: {}, content: bundle.signedPreKey.signature }
        ] },
        ...(bundle.preKey ? [{ tag: 'key', attrs: {}, content: [
          { tag: 'id', attrs: {}, content: id3(bundle.preKey.id) },
          { tag: 'value', attrs: {}, content: bundle.preKey.publicKey }
        ] }] : [])
      ]
    })
  }
  return out
}

// --- usync: devices, LIDs, contacts, status -----------------------------------------------------------------

export function handleUsync(world: World, _conn: ClientConnection, iq: BinaryNode): BinaryNode {
  const usync = getBinaryNodeChild(iq, 'usync')
  const protocols = (Array.isArray(getBinaryNodeChild(usync, 'query')?.content)
    ? (getBinaryNodeChild(usync, 'query')!.content as BinaryNode[]) : []).map(p => p.tag)
  const users = getBinaryNodeChildren(getBinaryNodeChild(usync, 'list'), 'user')
  const list: BinaryNode[] = []
  for (const user of users) {
    const contactNode = getBinaryNodeChild(user, 'contact')
    let jid = user.attrs.jid
    let account: Account | undefined
    if (!jid && contactNode) {
      // onWhatsApp: the user is a phone number; the answer names its JID either way
      const phone = normalizePhone(bytes(contactNode)?.toString() ?? '')
      account = world.findAccount(phone)
      jid = `${phone}@s.whatsapp.net`
    } else if (jid) {
      account = world.findAccount(jid)
    }
    if (!jid) continue
    const content: BinaryNode[] = []
    for (const protocol of protocols) {
      switch (protocol) {
        case 'devices':
          content.push({ tag: 'devices', attrs: {}, content: [{ tag: 'device-list', attrs: {}, content: account ? deviceListNodes(account) : [] }] })
          break
        case 'lid':
          if (account && domainOf(jid) === 'pn') content.push({ tag: 'lid', attrs: { val: accountUserJid(account, 'lid') } })
          break
        case 'contact':
          content.push({ tag: 'contact', attrs: { type: account ? 'in' : 'out' } })
          break
        case 'status':
          content.push(account
            ? { tag: 'status', attrs: { t: String(account.aboutSetAt) }, content: Buffer.from(account.about) }
            : { tag: 'status', attrs: { code: '404' } })
          break
        case 'disappearing_mode':
          content.push({ tag: 'disappearing_mode', attrs: { duration: '0', t: '0' } })
          break
        default:
          break
      }
    }
    list.push({ tag: 'user', attrs: { jid }, content })
  }
  return result(iq, [{
    tag: 'usync',
    attrs: { sid: usync?.attrs.sid ?? '', last: 'true', index: '0', mode: usync?.attrs.mode ?? 'query', context: usync?.attrs.context ?? 'interactive' },
    content: [{ tag: 'list', attrs: {}, content: list }]
  }])
}

function deviceListNodes(account: Account): BinaryNode[] {
  return [...account.devices.values()]
    .sort((a, b) => a.id - b.id)
    .map((d): BinaryNode => (d.id === 0 ? { tag: 'device', attrs: { id: '0' } } : { tag: 'device', attrs: { id: String(d.id), 'key-index': String(d.keyIndex) } }))
}

// --- profile: pictures, about --------------------------------------------------------------------------------

export function handleProfilePicture(world: World, conn: ClientConnection, iq: BinaryNode): BinaryNode {
  const device = conn.device!
  const target = iq.attrs.target
  const picture = getBinaryNodeChild(iq, 'picture')
  if (iq.attrs.type === 'get') {
    const holder = target?.endsWith('@g.us') ? world.findGroup(target) : world.findAccount(target ?? accountUserJid(device.account, 'pn'))
    const stored = holder?.picture
    if (!stored) return iqError(iq, 404, 'item-not-found')
    return result(iq, [{ tag: 'picture', attrs: { id: stored.id, type: picture?.attrs.type ?? 'image', url: stored.url, direct_path: stored.directPath } }])
  }
  // set (with a JPEG) or remove (no content), for the own account or a group the client administers
  const image = bytes(picture)
  const makePicture = () => {
    const put = world.media().put(image!, 'pps')
    return { id: String(unixNow()) + randomBytes(2).readUInt16BE(0), directPath: put.directPath, url: put.url, bytes: image! }
  }
  if (target?.endsWith('@g.us')) {
    const group = world.findGroup(target)
    if (!group) return iqError(iq, 404, 'item-not-found')
    const me = group.participants.get(device.account.phone)
    if (!me || me.role === 'member') return iqError(iq, 401, 'not-authorized')
    group.picture = image?.length ? makePicture() : undefined
    notifyPictureChange(world, [...group.participants.keys()], target, device.account, group.picture?.id)
    return result(iq, group.picture ? [{ tag: 'picture', attrs: { id: group.picture.id } }] : undefined)
  }
  device.account.picture = image?.length ? makePicture() : undefined
  notifyPictureChange(world, [...world.accounts.keys()], accountUserJid(device.account, 'pn'), device.account, device.account.picture?.id)
  return result(iq, device.account.picture ? [{ tag: 'picture', attrs: { id: device.account.picture.id } }] : undefined)
}

function notifyPictureChange(world: World, phones: string[], from: string, author: Account, id?: string): void {
  for (const phone of phones) {
    for (const device of world.findAccount(phone)?.devices.values() ?? []) {
      if (device.kind !== 'companion') continue
      world.deliver(device, {
        tag: 'notification',
        attrs: { from, type: 'picture', id: world.nextStanzaId(), t: String(unixNow()) },
        content: [id
          ? { tag: 'set', attrs: { id, author: accountUserJid(author, 'pn') } }
          : { tag: 'delete', attrs: { author: accountUserJid(author, 'pn') } }]
      })
    }
  }
}

export function handleStatus(_world: World, conn: ClientConnection, iq: BinaryNode): BinaryNode {
  const text = bytes(getBinaryNodeChild(iq, 'status'))
  if (iq.attrs.type === 'set' && text !== undefined) {
    conn.device!.account.about = text.toString('utf8')
    conn.device!.account.aboutSetAt = unixNow()
  }
  return result(iq)
}

// --- everything else the client asks at login -----------------------------------------------------------------

export function handleMediaConn(world: World, _conn: ClientConnection, iq: BinaryNode): BinaryNode {
  const media = world.media()
  return result(iq, [{
    tag: 'media_conn',
    attrs: { auth: media.auth, ttl: '300', auth_ttl: '21600', max_buckets: '12' },
    content: [{ tag: 'host', attrs: { hostname: media.hostname, maxContentLengthBytes: String(media.maxContentLengthBytes) } }]
  }])
}

export function handlePrivacy(_world: World, _conn: ClientConnection, iq: BinaryNode): BinaryNode {
  if (iq.attrs.type === 'get' && getBinaryNodeChild(iq, 'privacy')) {
    const categories = { readreceipts: 'all', last: 'all', online: 'all', profile: 'all', status: 'all', groupadd: 'all', calladd: 'all', messages: 'all' }
    return result(iq, [{ tag: 'privacy', attrs: {}, content: Object.entries(categories).map(([name, value]) => ({ tag: 'category', attrs: { name, value } })) }])
  }
  return result(iq)
}

/** Echo every requested collection: a collection left out is asked for again and again. */
export function handleAppState(_world: World, _conn: ClientConnection, iq: BinaryNode): BinaryNode {
  const collections = getBinaryNodeChildren(getBinaryNodeChild(iq, 'sync'), 'collection')
  return result(iq, [{
    tag: 'sync',
    attrs: {},
    content: collections.map(c => ({ tag: 'collection', attrs: { name: c.attrs.name, version: c.attrs.version ?? '0' } }))
  }])
}

export function propsHash(): string {
  return createHash('sha1').update('wadock-sim').digest('hex').slice(0, 10)
}

export type DeviceLookup = (device: Device) => void
