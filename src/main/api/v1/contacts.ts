/** Contacts (seed 004's `S/contacts/...`): the stored contacts, who is on WhatsApp, what a user shows, profile pictures. */
import { z } from 'zod'
import { chatAddressSchema, phoneNumberSchema, userAddressSchema } from '../../../shared/operations.js'
import { component } from '../components.js'
import type { ApiRegistry } from '../registry.js'
import { operationsOf } from './messages.js'
import { sessionPathSchema } from './schemas.js'

const SESSION = '/api/v1/sessions/{session_id}'
const tags = ['contacts']

const contactSchema = component(z.object({
  jid: z.string(),
  phone_number: z.string().nullable().describe('the phone-number JID, when known'),
  lid: z.string().nullable().describe('the LID, when known'),
  name: z.string().nullable().describe('the name in the address book'),
  push_name: z.string().nullable().describe('the name the user chose')
}), { id: 'Contact' })

const contactListSchema = component(z.object({ contacts: z.array(contactSchema), total: z.number().int().nonnegative() }), { id: 'ContactList' })

const checkRequestSchema = component(z.strictObject({
  numbers: z.array(phoneNumberSchema).min(1).max(100).describe('phone numbers with country code')
}), { id: 'CheckNumbersRequest', examples: [{ numbers: ['+628123456789', '628987654321'] }] })

const checkResponseSchema = component(z.object({
  results: z.array(z.object({
    number: z.string().describe('the number\'s digits'),
    exists: z.boolean().describe('whether it has a WhatsApp account'),
    jid: z.string().nullable().describe('the account\'s JID when it exists')
  })).describe('in the order asked, each number once')
}), { id: 'CheckNumbersResult' })

const infoRequestSchema = component(z.strictObject({
  user: userAddressSchema.optional().describe('a phone number or a LID'),
  jid: userAddressSchema.optional().describe('the same, under another name: give `user` or `jid`')
}).refine(v => (v.user === undefined) !== (v.jid === undefined), { message: 'give user or jid (one of them)', path: ['user'] }),
{ id: 'UserInfoRequest', examples: [{ user: '+628123456789' }] })

const userInfoSchema = component(z.object({
  jid: z.string(),
  phone_number: z.string().nullable(),
  lid: z.string().nullable(),
  name: z.string().nullable(),
  push_name: z.string().nullable(),
  about: z.string().nullable().describe('the about text, when visible'),
  about_set_at: z.number().nullable().describe('unix time, seconds'),
  picture_url: z.string().nullable()
}), { id: 'UserInfo' })

const pictureSchema = component(z.object({ jid: z.string(), url: z.string().describe('where to fetch the picture') }), { id: 'ProfilePicture' })

export function registerContactRoutes(registry: ApiRegistry): void {
  registry.add({
    method: 'get', path: `${SESSION}/contacts`, operationId: 'listContacts', tags, access: 'session',
    summary: 'List contacts',
    description: 'The contacts the session\'s store knows (from messages, pushes and LID mappings); needs no connection.',
    params: sessionPathSchema,
    response: { description: 'The contacts.', schema: contactListSchema },
    handler: async ({ host, params }) => {
      const contacts = (await operationsOf(host).contacts.list(params.session_id)).map(c => ({
        jid: c.jid, phone_number: c.phoneNumber, lid: c.lid, name: c.name, push_name: c.pushName
      }))
      return { contacts, total: contacts.length }
    }
  })

  registry.add({
    method: 'post', path: `${SESSION}/contacts/check`, operationId: 'checkContacts', tags, access: 'session',
    summary: 'Check which numbers are on WhatsApp',
    params: sessionPathSchema,
    body: checkRequestSchema,
    response: { description: 'One result per number.', schema: checkResponseSchema },
    errors: [409, 422],
    handler: async ({ host, params, body }) => ({ results: await operationsOf(host).contacts.checkNumbers(params.session_id, { numbers: body.numbers }) })
  })

  registry.add({
    method: 'post', path: `${SESSION}/contacts/info`, operationId: 'getContactInfo', tags, access: 'session',
    summary: 'Get what a user shows',
    description: 'Phone number and LID, names, about text and profile picture URL (null when hidden or unset). 404 for a number not on WhatsApp.',
    params: sessionPathSchema,
    body: infoRequestSchema,
    response: { description: 'The user.', schema: userInfoSchema },
    errors: [409, 422],
    handler: async ({ host, params, body }) => {
      const u = await operationsOf(host).contacts.userInfo(params.session_id, { user: (body.user ?? body.jid)! })
      return {
        jid: u.jid, phone_number: u.phoneNumber, lid: u.lid, name: u.name, push_name: u.pushName, about: u.about,
        about_set_at: u.aboutSetAt, picture_url: u.pictureUrl
      }
    }
  })

  registry.add({
    method: 'get', path: `${SESSION}/contacts/{jid}/picture`, operationId: 'getContactPicture', tags, access: 'session',
    summary: 'Get a profile picture',
    description: 'The URL of a user\'s or group\'s profile picture; 404 when there is none or it is hidden.',
    params: sessionPathSchema.extend({ jid: chatAddressSchema.describe('a phone number, a LID or a group JID') }),
    response: { description: 'The picture\'s URL.', schema: pictureSchema },
    errors: [409, 422],
    handler: async ({ host, params }) => {
      const avatar = await operationsOf(host).contacts.avatar(params.session_id, { chat: params.jid })
      return { jid: avatar.chat, url: avatar.url }
    }
  })
}
