/** Group chats (`w:g2`): create, query, change and leave, with a `w:gp2` notification to every member device. */
import { randomBytes, randomInt } from 'node:crypto'
import { type BinaryNode, getBinaryNodeChild, getBinaryNodeChildren } from '@whiskeysockets/baileys'
import type { ClientConnection } from './connection.js'
import { type Account, type Group, type GroupParticipant, accountUserJid } from './model.js'
import { type Domain, unixNow } from './jids.js'
import { iqError, result } from './iq.js'
import type { World } from './world.js'

const inviteCode = () => randomBytes(16).toString('base64url').slice(0, 22)

export function groupParticipantNode(world: World, group: Group, p: GroupParticipant, tag = 'participant'): BinaryNode {
  const account = world.findAccount(p.phone)!
  const attrs: Record<string, string> = group.addressingMode === 'lid'
    ? { jid: accountUserJid(account, 'lid'), phone_number: accountUserJid(account, 'pn') }
    : { jid: accountUserJid(account, 'pn'), lid: accountUserJid(account, 'lid') }
  if (p.role !== 'member') attrs.type = p.role
  return { tag, attrs }
}

export function groupNode(world: World, group: Group): BinaryNode {
  const creator = world.findAccount(group.creator)!
  const subjectOwner = world.findAccount(group.subjectOwner) ?? creator
  const domain = group.addressingMode
  const content: BinaryNode[] = [...group.participants.values()].map(p => groupParticipantNode(world, group, p))
  if (group.description) {
    const owner = world.findAccount(group.description.owner) ?? creator
    content.push({
      tag: 'description',
      attrs: { id: group.description.id, participant: accountUserJid(owner, domain), t: String(group.description.time) },
      content: [{ tag: 'body', attrs: {}, content: Buffer.from(group.description.text) }]
    })
  }
  if (group.announce) content.push({ tag: 'announcement', attrs: {} })
  if (group.locked) content.push({ tag: 'locked', attrs: {} })
  if (group.ephemeral) content.push({ tag: 'ephemeral', attrs: { expiration: String(group.ephemeral) } })
  return {
    tag: 'group',
    attrs: {
      id: group.id,
      subject: group.subject,
      s_t: String(group.subjectTime),
      s_o: accountUserJid(subjectOwner, domain),
      creation: String(group.creation),
      creator: accountUserJid(creator, domain),
      ...(domain === 'lid' ? { creator_pn: accountUserJid(creator, 'pn'), s_o_pn: accountUserJid(subjectOwner, 'pn') } : {}),
      size: String(group.participants.size),
      addressing_mode: domain
    },
    content
  }
}

/** Tells every member device (and, for removals, the removed ones) what changed and who changed it. */
function notifyMembers(world: World, group: Group, actor: Account, child: BinaryNode, extraPhones: string[] = []): void {
  const domain = group.addressingMode
  const phones = new Set([...group.participants.keys(), ...extraPhones])
  for (const phone of phones) {
    for (const device of world.findAccount(phone)?.devices.values() ?? []) {
      if (device.kind !== 'companion') continue
      world.deliver(device, {
        tag: 'notification',
        attrs: {
          from: `${group.id}@g.us`, type: 'w:gp2', id: world.nextStanzaId(), t: String(unixNow()),
          participant: accountUserJid(actor, domain),
          ...(domain === 'lid' ? { participant_pn: accountUserJid(actor, 'pn') } : {}),
          notify: actor.name
        },
        content: [child]
      })
    }
  }
}

export function createGroup(world: World, creator: Account, subject: string, members: Account[], addressingMode: Domain = 'lid'): Group {
  let id: string
  do id = `120363${randomInt(100_000_000, 999_999_999)}${randomInt(100, 999)}`
  while (world.groups.has(id))
  const now = unixNow()
  const group: Group = {
    id, subject, subjectOwner: creator.phone, subjectTime: now, creation: now, creator: creator.phone,
    participants: new Map([[creator.phone, { phone: creator.phone, role: 'superadmin' }]]),
    announce: false, locked: false, ephemeral: 0, inviteCode: inviteCode(), addressingMode
  }
  for (const m of members) if (!group.participants.has(m.phone)) group.participants.set(m.phone, { phone: m.phone, role: 'member' })
  world.groups.set(id, group)
  notifyMembers(world, group, creator, { tag: 'create', attrs: {}, content: [groupNode(world, group)] })
  return group
}

export function handleGroupIq(world: World, conn: ClientConnection, iq: BinaryNode): BinaryNode {
  const me = conn.device!.account
  const child = Array.isArray(iq.content) ? iq.content[0] : undefined
  if (!child) return result(iq)
  const to = iq.attrs.to ?? ''

  if (to === '@g.us' || to === 'g.us') {
    switch (child.tag) {
      case 'create': {
        const members = getBinaryNodeChildren(child, 'participant').map(p => world.findAccount(p.attrs.jid)).filter((a): a is Account => !!a)
        const group = createGroup(world, me, child.attrs.subject ?? '', members)
        return result(iq, [groupNode(world, group)])
      }
      case 'participating': {
        const groups = [...world.groups.values()].filter(g => g.participants.has(me.phone))
        return result(iq, [{ tag: 'groups', attrs: {}, content: groups.map(g => groupNode(world, g)) }])
      }
      case 'leave': {
        for (const g of getBinaryNodeChildren(child, 'group')) {
          const group = world.findGroup(g.attrs.id)
          if (!group?.participants.has(me.phone)) continue
          const leaving = group.participants.get(me.phone)!
          group.participants.delete(me.phone)
          // WhatsApp reports leaving as the member removing itself (wa-protocol.md §6); whatsmeow knows no `leave` child
          notifyMembers(world, group, me, { tag: 'remove', attrs: {}, content: [groupParticipantNode(world, group, leaving)] }, [me.phone])
        }
        return result(iq)
      }
      case 'invite': {
        const group = [...world.groups.values()].find(g => g.inviteCode === child.attrs.code)
        if (!group) return iqError(iq, 406, 'not-acceptable')
        if (iq.attrs.type === 'get') return result(iq, [groupNode(world, group)])
        if (!group.participants.has(me.phone)) {
          group.participants.set(me.phone, { phone: me.phone, role: 'member' })
          notifyMembers(world, group, me, { tag: 'add', attrs: { reason: 'invite' }, content: [groupParticipantNode(world, group, group.participants.get(me.phone)!)] })
        }
        return result(iq, [{ tag: 'group', attrs: { jid: `${group.id}@g.us` } }])
      }
      default:
        return result(iq)
    }
  }

  const group = world.findGroup(to)
  if (!group) return iqError(iq, 404, 'item-not-found')
  const mine = group.participants.get(me.phone)
  if (!mine) return iqError(iq, 403, 'forbidden')
  const isAdmin = mine.role !== 'member'
  const needAdmin = () => iqError(iq, 403, 'forbidden')

  switch (child.tag) {
    case 'query':
      return result(iq, [groupNode(world, group)])
    case 'invite':
      if (iq.attrs.type === 'set') {
        if (!isAdmin) return needAdmin()
        group.inviteCode = inviteCode()
        notifyMembers(world, group, me, { tag: 'invite', attrs: { code: group.inviteCode } })
      }
      return result(iq, [{ tag: 'invite', attrs: { code: group.inviteCode } }])
    case 'subject': {
      if (group.locked && !isAdmin) return needAdmin()
      group.subject = Buffer.from((child.content as Uint8Array | string | undefined) ?? '').toString('utf8')
      group.subjectOwner = me.phone
      group.subjectTime = unixNow()
      notifyMembers(world, group, me, { tag: 'subject', attrs: { subject: group.subject, s_o: accountUserJid(me, group.addressingMode), s_t: String(group.subjectTime) } })
      return result(iq)
    }
    case 'description': {
      if (group.locked && !isAdmin) return needAdmin()
      const body = getBinaryNodeChild(child, 'body')
      const text = body ? Buffer.from((body.content as Uint8Array | string | undefined) ?? '').toString('utf8') : ''
      group.description = child.attrs.delete === 'true' || !text ? undefined : { id: child.attrs.id ?? world.nextStanzaId(), text, time: unixNow(), owner: me.phone }
      notifyMembers(world, group, me, {
        tag: 'description', attrs: { id: child.attrs.id ?? '' },
        content: group.description ? [{ tag: 'body', attrs: {}, content: Buffer.from(group.description.text) }] : [{ tag: 'delete', attrs: {} }]
      })
      return result(iq)
    }
    case 'add':
    case 'remove':
    case 'promote':
    case 'demote': {
      if (!isAdmin) return needAdmin()
      const answered: BinaryNode[] = []
      const changed: BinaryNode[] = []
      const removed: string[] = []
      for (const p of getBinaryNodeChildren(child, 'participant')) {
        const account = world.findAccount(p.attrs.jid)
        if (!account) { answered.push({ tag: 'participant', attrs: { jid: p.attrs.jid, error: '404' } }); continue }
        const current = group.participants.get(account.phone)
        const ok = child.tag === 'add' ? !current : !!current && current.role !== 'superadmin'
        if (!ok) { answered.push({ tag: 'participant', attrs: { jid: p.attrs.jid, error: child.tag === 'add' ? '409' : '404' } }); continue }
        if (child.tag === 'add') group.participants.set(account.phone, { phone: account.phone, role: 'member' })
        else if (child.tag === 'remove') { group.participants.delete(account.phone); removed.push(account.phone) }
        else current!.role = child.tag === 'promote' ? 'admin' : 'member'
        const entry = groupParticipantNode(world, group, { phone: account.phone, role: child.tag === 'promote' ? 'admin' : 'member' })
        answered.push({ tag: 'participant', attrs: { jid: p.attrs.jid } })
        changed.push(entry)
      }
      if (changed.length) notifyMembers(world, group, me, { tag: child.tag, attrs: {}, content: changed }, removed)
      return result(iq, [{ tag: child.tag, attrs: {}, content: answered }])
    }
    case 'announcement':
    case 'not_announcement':
    case 'locked':
    case 'unlocked': {
      if (!isAdmin) return needAdmin()
      if (child.tag.endsWith('announcement')) group.announce = child.tag === 'announcement'
      else group.locked = child.tag === 'locked'
      notifyMembers(world, group, me, { tag: child.tag, attrs: {} })
      return result(iq)
    }
    case 'ephemeral':
    case 'not_ephemeral':
      group.ephemeral = child.tag === 'ephemeral' ? Number(child.attrs.expiration ?? 0) : 0
      notifyMembers(world, group, me, { tag: child.tag, attrs: child.attrs })
      return result(iq)
    default:
      return result(iq)
  }
}
