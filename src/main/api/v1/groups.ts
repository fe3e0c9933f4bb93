/**
 * Groups (seed 004's `S/groups/...`): list, create, inspect, invite link, subject, description, picture, settings,
 * participants (POST adds, DELETE removes), admins (POST promotes, DELETE demotes), leave. WhatsApp decides who may
 * do what: a refusal is a 422, an unknown group a 404.
 */
import { z } from 'zod'
import {
  createGroupInputSchema, type GroupInfo, groupJidSchema, type GroupParticipantsResult, setGroupDescriptionInputSchema,
  setGroupSubjectInputSchema, userAddressSchema
} from '../../../shared/operations.js'
import { component } from '../components.js'
import type { ApiRegistry } from '../registry.js'
import { mediaFieldSchema, operationsOf } from './messages.js'
import { sessionPathSchema } from './schemas.js'

const GROUP = '/api/v1/sessions/{session_id}/groups/{jid}'
const tags = ['groups']

const groupPathSchema = sessionPathSchema.extend({ jid: groupJidSchema.describe('the group\'s JID (…@g.us)') })

const groupSchema = component(z.object({
  id: z.string().describe('the group\'s JID'),
  subject: z.string(),
  subject_owner: z.string().nullable(),
  subject_time: z.number().nullable().describe('unix time, seconds'),
  description: z.string().nullable(),
  owner: z.string().nullable(),
  creation: z.number().nullable().describe('unix time, seconds'),
  size: z.number().int(),
  announce: z.boolean().describe('only admins may send'),
  locked: z.boolean().describe('only admins may edit the group\'s info'),
  addressing_mode: z.enum(['pn', 'lid']).nullable(),
  participants: z.array(z.object({
    jid: z.string(),
    phone_number: z.string().nullable(),
    lid: z.string().nullable(),
    admin: z.enum(['admin', 'superadmin']).nullable()
  }))
}), { id: 'Group' })

const groupListSchema = component(z.object({ groups: z.array(groupSchema), total: z.number().int().nonnegative() }), { id: 'GroupList' })

const participantsSchema = z.array(userAddressSchema).min(1).max(1024).describe('phone numbers or LIDs')
const createSchema = component(z.strictObject({
  subject: createGroupInputSchema.shape.subject,
  participants: participantsSchema
}), { id: 'CreateGroupRequest', examples: [{ subject: 'Ops team', participants: ['+628123456789'] }] })
const participantsRequestSchema = component(z.strictObject({ participants: participantsSchema }), {
  id: 'GroupParticipantsRequest', examples: [{ participants: ['+628123456789'] }]
})
const participantsResultSchema = component(z.object({
  group: z.string(),
  action: z.enum(['add', 'remove', 'promote', 'demote']),
  results: z.array(z.object({
    participant: z.string(),
    status: z.number().int().describe('WhatsApp\'s: 200 done, 403 refused, 404 not on WhatsApp or not in the group, 409 already in it'),
    ok: z.boolean()
  }))
}), { id: 'GroupParticipantsResult' })

const inviteSchema = component(z.object({ group: z.string(), code: z.string(), link: z.string() }), { id: 'GroupInvite' })
const subjectSchema = component(z.strictObject({ subject: setGroupSubjectInputSchema.shape.subject }), { id: 'GroupSubjectRequest' })
const subjectResultSchema = component(z.object({ group: z.string(), subject: z.string() }), { id: 'GroupSubject' })
const descriptionSchema = component(z.strictObject({
  description: setGroupDescriptionInputSchema.shape.description.describe('an empty one removes it')
}), { id: 'GroupDescriptionRequest' })
const descriptionResultSchema = component(z.object({ group: z.string(), description: z.string().nullable() }), { id: 'GroupDescription' })
const pictureSchema = component(z.strictObject({
  image: mediaFieldSchema('picture (JPEG, PNG or WebP; WhatsApp shows it as a 640×640 JPEG)'),
  mimetype: z.string().max(255).optional()
}), { id: 'GroupPictureRequest' })
const pictureResultSchema = component(z.object({ group: z.string() }), { id: 'GroupPicture' })
const settingsSchema = component(z.strictObject({
  announce: z.boolean().optional().describe('only admins may send'),
  locked: z.boolean().optional().describe('only admins may edit the subject, description and picture')
}).refine(v => v.announce !== undefined || v.locked !== undefined, 'give announce, locked or both'), { id: 'GroupSettingsRequest' })
const settingsResultSchema = component(z.object({ group: z.string(), announce: z.boolean().optional(), locked: z.boolean().optional() }), { id: 'GroupSettings' })
const leftSchema = component(z.object({ group: z.string(), left: z.literal(true) }), { id: 'GroupLeft' })

function toApiGroup(g: GroupInfo) {
  return {
    id: g.id, subject: g.subject, subject_owner: g.subjectOwner, subject_time: g.subjectTime, description: g.description, owner: g.owner,
    creation: g.creation, size: g.size, announce: g.announce, locked: g.locked, addressing_mode: g.addressingMode,
    participants: g.participants.map(p => ({ jid: p.jid, phone_number: p.phoneNumber, lid: p.lid, admin: p.admin }))
  }
}

const toApiParticipants = (r: GroupParticipantsResult) => ({ group: r.group, action: r.action, results: r.results })

export function registerGroupRoutes(registry: ApiRegistry): void {
  const common = { tags, access: 'session' as const, errors: [409, 422] as (409 | 422)[] }

  registry.add({
    ...common, method: 'get', path: '/api/v1/sessions/{session_id}/groups', operationId: 'listGroups', summary: 'List groups',
    description: 'Every group the account is in.',
    params: sessionPathSchema,
    response: { description: 'The groups.', schema: groupListSchema },
    handler: async ({ host, params }) => {
      const groups = (await operationsOf(host).groups.list(params.session_id)).map(toApiGroup)
      return { groups, total: groups.length }
    }
  })

  registry.add({
    ...common, method: 'post', path: '/api/v1/sessions/{session_id}/groups', operationId: 'createGroup', summary: 'Create a group',
    params: sessionPathSchema,
    body: createSchema,
    response: { status: 201, description: 'The new group.', schema: groupSchema },
    handler: async ({ host, params, body }) => toApiGroup(await operationsOf(host).groups.create(params.session_id, body))
  })

  registry.add({
    ...common, method: 'get', path: GROUP, operationId: 'getGroup', summary: 'Get a group',
    params: groupPathSchema,
    response: { description: 'The group, as WhatsApp has it now.', schema: groupSchema },
    handler: async ({ host, params }) => toApiGroup(await operationsOf(host).groups.info(params.session_id, { group: params.jid }))
  })

  registry.add({
    ...common, method: 'get', path: `${GROUP}/invite-link`, operationId: 'getGroupInviteLink', summary: 'Get the invite link',
    params: groupPathSchema,
    response: { description: 'The group\'s invite link.', schema: inviteSchema },
    handler: ({ host, params }) => operationsOf(host).groups.inviteLink(params.session_id, { group: params.jid })
  })

  registry.add({
    ...common, method: 'put', path: `${GROUP}/subject`, operationId: 'setGroupSubject', summary: 'Set the subject',
    params: groupPathSchema,
    body: subjectSchema,
    response: { description: 'The subject now in force.', schema: subjectResultSchema },
    handler: ({ host, params, body }) => operationsOf(host).groups.setSubject(params.session_id, { group: params.jid, subject: body.subject })
  })

  registry.add({
    ...common, method: 'put', path: `${GROUP}/description`, operationId: 'setGroupDescription', summary: 'Set the description',
    params: groupPathSchema,
    body: descriptionSchema,
    response: { description: 'The description now in force (null: none).', schema: descriptionResultSchema },
    handler: ({ host, params, body }) => operationsOf(host).groups.setDescription(params.session_id, { group: params.jid, description: body.description })
  })

  registry.add({
    ...common, method: 'put', path: `${GROUP}/picture`, operationId: 'setGroupPicture', summary: 'Set the picture',
    description: 'Admins only. As JSON (base64, data URL or http(s) URL) or as a multipart upload.',
    params: groupPathSchema,
    body: pictureSchema,
    upload: { field: 'image', description: 'the picture (JPEG, PNG or WebP)' },
    response: { description: 'The picture was set.', schema: pictureResultSchema },
    handler: ({ host, params, body }) => operationsOf(host).groups.setPicture(params.session_id, { group: params.jid, image: body.image, mimetype: body.mimetype })
  })

  registry.add({
    ...common, method: 'put', path: `${GROUP}/settings`, operationId: 'setGroupSettings', summary: 'Change the settings',
    description: 'Announce (only admins send) and locked (only admins edit the group\'s info), each on or off. Admins only.',
    params: groupPathSchema,
    body: settingsSchema,
    response: { description: 'The settings changed.', schema: settingsResultSchema },
    handler: ({ host, params, body }) => operationsOf(host).groups.settings(params.session_id, { group: params.jid, ...body })
  })

  const membership = (action: 'add' | 'remove' | 'promote' | 'demote') =>
    async ({ host, params, body }: { host: Parameters<typeof operationsOf>[0]; params: z.output<typeof groupPathSchema>; body: z.output<typeof participantsRequestSchema> }) =>
      toApiParticipants(await operationsOf(host).groups.participants(params.session_id, { group: params.jid, action, participants: body.participants }))
  const perParticipant = 'WhatsApp answers per participant: see each result\'s status. Admins only.'

  registry.add({
    ...common, method: 'post', path: `${GROUP}/participants`, operationId: 'addGroupParticipants', summary: 'Add participants',
    description: perParticipant, params: groupPathSchema, body: participantsRequestSchema,
    response: { description: 'One result per participant.', schema: participantsResultSchema }, handler: membership('add')
  })
  registry.add({
    ...common, method: 'delete', path: `${GROUP}/participants`, operationId: 'removeGroupParticipants', summary: 'Remove participants',
    description: perParticipant, params: groupPathSchema, body: participantsRequestSchema,
    response: { description: 'One result per participant.', schema: participantsResultSchema }, handler: membership('remove')
  })
  registry.add({
    ...common, method: 'post', path: `${GROUP}/admins`, operationId: 'promoteGroupParticipants', summary: 'Make participants admins',
    description: perParticipant, params: groupPathSchema, body: participantsRequestSchema,
    response: { description: 'One result per participant.', schema: participantsResultSchema }, handler: membership('promote')
  })
  registry.add({
    ...common, method: 'delete', path: `${GROUP}/admins`, operationId: 'demoteGroupParticipants', summary: 'Take admin rights away',
    description: perParticipant, params: groupPathSchema, body: participantsRequestSchema,
    response: { description: 'One result per participant.', schema: participantsResultSchema }, handler: membership('demote')
  })

  registry.add({
    ...common, method: 'post', path: `${GROUP}/leave`, operationId: 'leaveGroup', summary: 'Leave the group',
    params: groupPathSchema,
    response: { description: 'Left.', schema: leftSchema },
    handler: ({ host, params }) => operationsOf(host).groups.leave(params.session_id, { group: params.jid })
  })
}
