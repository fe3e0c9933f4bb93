/** The pure parts of the operations: addresses, schemas, base64, MIME sniffing, media resolution, vCards. */
import { describe, expect, it } from 'vitest'
import { ValidationError } from '../../../src/main/errors.js'
import { buildVcard, decodeBase64, parseInput, resolveMedia, sniffMimetype } from '../../../src/main/operations/index.js'
import { chatAddressSchema, groupSettingsInputSchema, parseAddress, sendImageInputSchema } from '../../../src/shared/operations.js'
import { JPEG, MP3, MP4, OGG, PDF, PNG, WEBP } from './fixture.js'

describe('addresses', () => {
  it('turns phone numbers in any common notation into JIDs', () => {
    for (const input of ['15550001234', '+15550001234', '+1 555-000-1234', '+1 (555) 000-1234', ' 15550001234 ', '15550001234@s.whatsapp.net', '15550001234@c.us']) {
      expect(parseAddress(input)).toEqual({ kind: 'phone', jid: '15550001234@s.whatsapp.net' })
    }
    expect(parseAddress('120363012345678901@g.us')).toEqual({ kind: 'group', jid: '120363012345678901@g.us' })
    expect(parseAddress('15550001234-1600000000@g.us')).toEqual({ kind: 'group', jid: '15550001234-1600000000@g.us' })
    expect(parseAddress('123456789012345@lid')).toEqual({ kind: 'lid', jid: '123456789012345@lid' })
  })

  it('refuses what is no number, group or LID', () => {
    for (const input of ['', '123456', '1234567890123456', '0155500012345', '1555a001234', '15550001234@example.com', '15550001234:3@s.whatsapp.net',
      'abc@g.us', 'x@lid', '+1 555 000 1234 ext 5', '1555.000.1234']) {
      expect(parseAddress(input), input).toBeUndefined()
    }
  })

  it('schemas name the field and what it must be', () => {
    expect(() => parseInput(sendImageInputSchema, { to: 'x', image: '' })).toThrow(ValidationError)
    try {
      parseInput(sendImageInputSchema, { to: 'x', image: '' })
    } catch (err) {
      expect((err as ValidationError).message).toMatch(/^to: must be a phone number .*; image: /)
      expect((err as ValidationError).details).toEqual([
        { path: 'to', message: expect.stringContaining('a group JID (…@g.us)') },
        { path: 'image', message: expect.any(String) }
      ])
    }
    expect(chatAddressSchema.parse(' +1 555 000 1234 ')).toBe('+1 555 000 1234')
    expect(groupSettingsInputSchema.safeParse({ group: '120363012345678901@g.us', locked: false }).success).toBe(true)
  })
})

describe('media input', () => {
  it('decodes strict base64, standard and URL-safe, and refuses anything else', () => {
    expect(decodeBase64(JPEG.toString('base64'), 1e6, 'f')).toEqual(JPEG)
    expect(decodeBase64(JPEG.toString('base64url'), 1e6, 'f')).toEqual(JPEG)
    expect(decodeBase64(JPEG.toString('base64').replace(/(.{60})/g, '$1\n'), 1e6, 'f')).toEqual(JPEG)
    for (const bad of ['', 'abc!', 'QUJD=A==', 'QUJDR', 'QU=JD', 'QUJD+_ab']) expect(decodeBase64(bad, 1e6, 'f'), bad).toBeUndefined()
    expect(() => decodeBase64(Buffer.alloc(3000).toString('base64'), 2000, 'image')).toThrow('image: the media is 3000 bytes, more than the limit of 2000')
  })

  it('recognises the formats WhatsApp media come in', () => {
    expect(sniffMimetype(JPEG)).toBe('image/jpeg')
    expect(sniffMimetype(PNG)).toBe('image/png')
    expect(sniffMimetype(WEBP)).toBe('image/webp')
    expect(sniffMimetype(PDF)).toBe('application/pdf')
    expect(sniffMimetype(OGG)).toBe('audio/ogg')
    expect(sniffMimetype(MP3)).toBe('audio/mpeg')
    expect(sniffMimetype(MP4)).toBe('video/mp4')
    expect(sniffMimetype(MP4, 'audio')).toBe('audio/mp4')
    expect(sniffMimetype(Buffer.from('hello world'))).toBeUndefined()
  })

  it('keeps declared parameters when they agree with the bytes, and corrects a wrong declaration', async () => {
    expect((await resolveMedia(OGG, 'audio', { field: 'audio', mimetype: 'audio/ogg; codecs=opus' })).mimetype).toBe('audio/ogg; codecs=opus')
    expect((await resolveMedia(PNG, 'image', { field: 'image', mimetype: 'image/jpeg' })).mimetype).toBe('image/png')
    expect((await resolveMedia(`data:image/png;base64,${PNG.toString('base64')}`, 'image', { field: 'image' })).bytes).toEqual(PNG)
    expect((await resolveMedia('data:,hello%20world', 'document', { field: 'document' })).bytes.toString()).toBe('hello world')
    expect((await resolveMedia(Buffer.from('x,y'), 'document', { field: 'document', fileName: 'a.CSV' })).mimetype).toBe('text/csv')
    expect((await resolveMedia(Buffer.from('?'), 'document', { field: 'document' })).mimetype).toBe('application/octet-stream')
    await expect(resolveMedia(Buffer.alloc(0), 'document', { field: 'document' })).rejects.toThrow('document: the media is empty')
    await expect(resolveMedia('data:image/png;base64', 'image', { field: 'image' })).rejects.toThrow(/malformed data URL/)
  })
})

describe('vCards', () => {
  it('escapes text and carries the WhatsApp id of the number', () => {
    expect(buildVcard({ name: 'Ann, the\nfirst', phone: '+49 30 1234567', organization: 'A;B' })).toBe([
      'BEGIN:VCARD', 'VERSION:3.0', 'N:;Ann\\, the\\nfirst;;;', 'FN:Ann\\, the\\nfirst', 'ORG:A\\;B', 'TEL;type=CELL;type=VOICE;waid=49301234567:+49301234567', 'END:VCARD'
    ].join('\n'))
  })
})
