/** `/user/*`: who is on WhatsApp, what they show, the avatar, and the stored contacts. */
import { z } from 'zod'
import { NotFoundError } from '../../../errors.js'
import { chatOf, readBody, required } from './input.js'
import { WuzapiError } from './respond.js'
import type { WuzapiRoute } from './route.js'

const S = '/api/v1/sessions/{session_id}'

const phonesSchema = z.object({ Phone: z.array(z.string()).optional() })
const presenceSchema = z.object({ type: z.string().optional() })
const avatarSchema = z.object({ Phone: z.string().optional(), Preview: z.boolean().optional() })

const personOf = (phone: string) => {
  const jid = chatOf(phone)
  if (jid.endsWith('@g.us')) throw new WuzapiError(400, 'Could not parse Phone')
  return jid
}

const avatar: WuzapiRoute['handler'] = async ({ ops, sessionId, body }) => {
  const input = readBody(avatarSchema, body)
  const chat = chatOf(required(input.Phone, 'Phone'))
  const type = input.Preview ? 'preview' : 'image'
  const { url } = await ops.contacts.avatar(sessionId, { chat, type }).catch(err => {
    throw err instanceof NotFoundError ? new WuzapiError(404, 'No avatar found') : err
  })
  const parsed = new URL(url)
  // Baileys gives the picture's URL only, not its id
  return { URL: url, ID: '', Type: type, DirectPath: `${parsed.pathname}${parsed.search}` }
}

export const userRoutes: WuzapiRoute[] = [
  {
    method: 'post', path: '/user/info', auth: 'session', native: `POST ${S}/contacts/info`,
    async handler({ ops, sessionId, body }) {
      const phones = required(readBody(phonesSchema, body).Phone, 'Phone').map(personOf)
      const Users: Record<string, { Devices: string[]; PictureID: string; Status: string; VerifiedName: null }> = {}
      for (const jid of phones) {
        // a number that is not on WhatsApp is listed with nothing known about it, as wuzapi does
        const info = await ops.contacts.userInfo(sessionId, { user: jid }).catch(err => {
          if (err instanceof NotFoundError) return undefined
          throw err
        })
        Users[info?.jid ?? jid] = { Devices: [], PictureID: '', Status: info?.about ?? '', VerifiedName: null }
      }
      return { Users }
    }
  },
  {
    method: 'post', path: '/user/check', auth: 'session', native: `POST ${S}/contacts/check`,
    async handler({ ops, sessionId, body }) {
      const queries = required(readBody(phonesSchema, body).Phone, 'Phone')
      const jids = queries.map(q => {
        const jid = personOf(q)
        if (!jid.endsWith('@s.whatsapp.net')) throw new WuzapiError(400, 'Could not parse Phone')
        return jid
      })
      const checks = await ops.contacts.checkNumbers(sessionId, { numbers: jids })
      return {
        Users: queries.map((Query, index) => {
          const digits = jids[index].split('@')[0]
          const check = checks.find(c => c.number === digits)
          return { IsInWhatsapp: !!check?.exists, JID: check?.jid ?? jids[index], Query, VerifiedName: '' }
        })
      }
    }
  },
  {
    method: 'post', path: '/user/presence', auth: 'session', native: `POST ${S}/presence`,
    async handler({ ops, sessionId, body }) {
      const presence = readBody(presenceSchema, body).type
      if (presence !== 'available' && presence !== 'unavailable') throw new WuzapiError(400, 'Invalid presence type. Allowed values: \'available\', \'unavailable\'')
      await ops.presence.set(sessionId, { presence })
      return { Details: 'Presence set successfuly' }
    }
  },
  { method: 'get', path: '/user/avatar', auth: 'session', native: `GET ${S}/contacts/{jid}/picture`, handler: avatar },
  { method: 'post', path: '/user/avatar', auth: 'session', native: `GET ${S}/contacts/{jid}/picture`, handler: avatar },
  {
    method: 'get', path: '/user/contacts', auth: 'session', native: `GET ${S}/contacts`,
    async handler({ ops, sessionId }) {
      const contacts: Record<string, { BusinessName: string; FirstName: string; Found: boolean; FullName: string; PushName: string }> = {}
      for (const c of await ops.contacts.list(sessionId)) {
        const name = c.name ?? ''
        contacts[c.phoneNumber ?? c.jid] = { BusinessName: '', FirstName: name.split(/\s+/)[0] ?? '', Found: true, FullName: name, PushName: c.pushName ?? '' }
      }
      return contacts
    }
  }
]
