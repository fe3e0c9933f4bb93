/** `/group/*`: list, info, invite link, photo, name, and create, leave, topic, announce, locked, participants. */
import { z } from 'zod'
import { chatOf, readBody, required } from './input.js'
import { WuzapiError } from './respond.js'
import { queryField, type WuzapiContext, type WuzapiRoute } from './route.js'
import { wuzapiGroup } from './shapes.js'

const S = '/api/v1/sessions/{session_id}'
const G = `${S}/groups/{jid}`

const groupOf = (value: string | undefined) => {
  const jid = chatOf(required(value, 'GroupJID'), 'Group JID')
  if (!jid.endsWith('@g.us')) throw new WuzapiError(400, 'Could not parse Group JID')
  return jid
}

const groupSchema = z.object({ GroupJID: z.string().optional(), Reset: z.boolean().optional() })

/** GET routes take GroupJID in a JSON body (as the seed shows) or as `?groupJID=` (as current wuzapi does). */
function groupFromRequest({ body, query }: WuzapiContext): { group: string; reset: boolean } {
  const input = readBody(groupSchema, body)
  const reset = input.Reset ?? queryField(query, 'reset') === 'true'
  return { group: groupOf(input.GroupJID ?? queryField(query, 'groupJID')), reset }
}

const photoSchema = z.object({ GroupJID: z.string().optional(), Image: z.string().optional() })
const nameSchema = z.object({ GroupJID: z.string().optional(), Name: z.string().optional() })
const createSchema = z.object({ Name: z.string().optional(), Participants: z.array(z.string()).optional() })
const topicSchema = z.object({ GroupJID: z.string().optional(), Topic: z.string().optional() })
const announceSchema = z.object({ GroupJID: z.string().optional(), Announce: z.boolean().optional() })
const lockedSchema = z.object({ GroupJID: z.string().optional(), Locked: z.boolean().optional() })
const participantsSchema = z.object({ GroupJID: z.string().optional(), Phone: z.array(z.string()).optional(), Action: z.string().optional() })
const ACTIONS = ['add', 'remove', 'promote', 'demote'] as const

export const groupRoutes: WuzapiRoute[] = [
  {
    method: 'get', path: '/group/list', auth: 'session', native: `GET ${S}/groups`,
    async handler({ ops, sessionId }) {
      return { Groups: (await ops.groups.list(sessionId)).map(wuzapiGroup) }
    }
  },
  {
    method: 'get', path: '/group/invitelink', auth: 'session', native: `GET ${G}/invite-link`,
    async handler(ctx) {
      const { group, reset } = groupFromRequest(ctx)
      const invite = await ctx.ops.groups.inviteLink(ctx.sessionId, { group, reset })
      return { InviteLink: invite.link }
    }
  },
  {
    method: 'get', path: '/group/info', auth: 'session', native: `GET ${G}`,
    async handler(ctx) {
      return wuzapiGroup(await ctx.ops.groups.info(ctx.sessionId, { group: groupFromRequest(ctx).group }))
    }
  },
  {
    method: 'post', path: '/group/photo', auth: 'session', native: `PUT ${G}/picture`,
    async handler({ ops, sessionId, body }) {
      const input = readBody(photoSchema, body)
      const group = groupOf(input.GroupJID)
      await ops.groups.setPicture(sessionId, { group, image: required(input.Image, 'Image') })
      // Baileys does not return the id WhatsApp gives the new picture
      return { Details: 'Group Photo set successfully', PictureID: '' }
    }
  },
  {
    method: 'post', path: '/group/name', auth: 'session', native: `PUT ${G}/subject`,
    async handler({ ops, sessionId, body }) {
      const input = readBody(nameSchema, body)
      const group = groupOf(input.GroupJID)
      await ops.groups.setSubject(sessionId, { group, subject: required(input.Name, 'Name') })
      return { Details: 'Group Name set successfully' }
    }
  },
  {
    method: 'post', path: '/group/create', auth: 'session', native: `POST ${S}/groups`,
    async handler({ ops, sessionId, body }) {
      const input = readBody(createSchema, body)
      const subject = required(input.Name, 'Name')
      const participants = required(input.Participants, 'Participants').map(p => chatOf(p, 'Participants'))
      return wuzapiGroup(await ops.groups.create(sessionId, { subject, participants }))
    }
  },
  {
    method: 'post', path: '/group/leave', auth: 'session', native: `POST ${G}/leave`,
    async handler({ ops, sessionId, body }) {
      await ops.groups.leave(sessionId, { group: groupOf(readBody(groupSchema, body).GroupJID) })
      return { Details: 'Left group successfully' }
    }
  },
  {
    method: 'post', path: '/group/topic', auth: 'session', native: `PUT ${G}/description`,
    async handler({ ops, sessionId, body }) {
      const input = readBody(topicSchema, body)
      await ops.groups.setDescription(sessionId, { group: groupOf(input.GroupJID), description: input.Topic ?? '' })
      return { Details: 'Group Topic set successfully' }
    }
  },
  {
    method: 'post', path: '/group/announce', auth: 'session', native: `PUT ${G}/settings`,
    async handler({ ops, sessionId, body }) {
      const input = readBody(announceSchema, body)
      await ops.groups.settings(sessionId, { group: groupOf(input.GroupJID), announce: input.Announce ?? false })
      return { Details: 'Group Announce set successfully' }
    }
  },
  {
    method: 'post', path: '/group/locked', auth: 'session', native: `PUT ${G}/settings`,
    async handler({ ops, sessionId, body }) {
      const input = readBody(lockedSchema, body)
      await ops.groups.settings(sessionId, { group: groupOf(input.GroupJID), locked: input.Locked ?? false })
      return { Details: 'Group Locked set successfully' }
    }
  },
  {
    method: 'post', path: '/group/updateparticipants', auth: 'session', native: `POST or DELETE ${G}/participants (add, remove), POST or DELETE ${G}/admins (promote, demote)`,
    async handler({ ops, sessionId, body }) {
      const input = readBody(participantsSchema, body)
      const group = groupOf(input.GroupJID)
      const participants = required(input.Phone, 'Phone').map(p => chatOf(p))
      const action = required(input.Action, 'Action').toLowerCase()
      if (!(ACTIONS as readonly string[]).includes(action)) throw new WuzapiError(400, 'Invalid Action: use add, remove, promote or demote')
      const result = await ops.groups.participants(sessionId, { group, action: action as (typeof ACTIONS)[number], participants })
      return {
        Details: 'Group Participants updated successfully',
        Participants: result.results.map(r => ({ JID: r.participant, Status: r.status, Success: r.ok }))
      }
    }
  }
]
