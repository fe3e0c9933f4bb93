import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createChatsRepo } from '../../../src/main/store/chats-repo.js'
import { createContactsRepo } from '../../../src/main/store/contacts-repo.js'
import { closeDatabase, type Db, openDatabase } from '../../../src/main/store/database.js'
import { createSessionsRepo } from '../../../src/main/store/sessions-repo.js'
import { useTempDirs } from './temp-dir.js'

const tempDir = useTempDirs()
let db: Db
beforeEach(() => { db = openDatabase(join(tempDir(), 'wadock.db')) })
afterEach(() => closeDatabase(db))

describe('sessions repository', () => {
  it('creates, reads, finds by token and lists oldest first', () => {
    const sessions = createSessionsRepo(db)
    const a = sessions.create({ id: 'a', token: 'tok-a', name: 'Sales', webhook: { url: 'http://127.0.0.1:9/hook', events: ['message'] } })
    expect(a).toMatchObject({
      id: 'a', name: 'Sales', token: 'tok-a', status: 'disconnected', statusReason: null, wasRunning: false,
      webhook: { url: 'http://127.0.0.1:9/hook', events: ['message'] }, bytesSent: 0, bytesReceived: 0, lastConnectedAt: null
    })
    expect(a.createdAt).toBe(a.updatedAt)
    sessions.create({ id: 'b', token: 'tok-b' })
    expect(sessions.get('b')).toMatchObject({ name: null, webhook: null })
    expect(sessions.findByToken('tok-b')?.id).toBe('b')
    expect(sessions.findByToken('nope')).toBeUndefined()
    expect(sessions.get('nope')).toBeUndefined()
    expect(sessions.list().map((s) => s.id)).toEqual(['a', 'b'])
    expect(() => sessions.create({ id: 'c', token: 'tok-a' })).toThrow(/UNIQUE/)
    expect(() => sessions.create({ id: 'a', token: 'tok-c' })).toThrow(/UNIQUE/)
  })

  it('updates only the given fields', () => {
    const sessions = createSessionsRepo(db)
    sessions.create({ id: 'a', token: 'tok-a', name: 'Sales', webhook: { url: 'x' } })
    const updated = sessions.update('a', {
      status: 'logged_in', statusReason: null, phoneNumber: '15551234567', pushName: 'Ann', lid: '123@lid', deviceId: 3,
      lastConnectedAt: 1234, name: undefined
    })
    expect(updated).toMatchObject({ status: 'logged_in', phoneNumber: '15551234567', pushName: 'Ann', lid: '123@lid', deviceId: 3, name: 'Sales', lastConnectedAt: 1234 })
    expect(sessions.update('a', { webhook: null, name: null })).toMatchObject({ webhook: null, name: null, status: 'logged_in' })
    expect(sessions.update('a', { statusReason: 'qr_timeout', status: 'disconnected' })).toMatchObject({ statusReason: 'qr_timeout', status: 'disconnected' })
    expect(sessions.update('a', {})?.id).toBe('a')
    expect(sessions.update('missing', { status: 'connecting' })).toBeUndefined()
    // fields outside the whitelist never reach SQL
    expect(sessions.update('a', { id: 'b', 'name = 1; --': 'x' } as never)?.id).toBe('a')
  })

  it('tracks was-running and traffic, and deletes', () => {
    const sessions = createSessionsRepo(db)
    sessions.create({ id: 'a', token: 'tok-a' })
    sessions.setWasRunning('a', true)
    sessions.addBytes('a', 100, 250)
    sessions.addBytes('a', 1, 2)
    expect(sessions.get('a')).toMatchObject({ wasRunning: true, bytesSent: 101, bytesReceived: 252 })
    sessions.setWasRunning('a', false)
    expect(sessions.get('a')?.wasRunning).toBe(false)
    expect(sessions.delete('a')).toBe(true)
    expect(sessions.delete('a')).toBe(false)
  })
})

describe('chats repository', () => {
  it('merges partial updates, counts and lists most recent first', () => {
    createSessionsRepo(db).create({ id: 's', token: 't' })
    const chats = createChatsRepo(db)
    chats.upsert({ sessionId: 's', jid: 'a@s.whatsapp.net', name: 'Ann', lastMessageAt: 200 })
    chats.upsert({ sessionId: 's', jid: 'b@g.us', name: 'Group', unreadCount: 2, lastMessageAt: 300 })
    chats.upsert({ sessionId: 's', jid: 'c@s.whatsapp.net' })
    chats.upsert({ sessionId: 's', jid: 'a@s.whatsapp.net', unreadCount: 5, lastMessageAt: 100 }) // older: ignored
    expect(chats.get('s', 'a@s.whatsapp.net')).toEqual({ sessionId: 's', jid: 'a@s.whatsapp.net', name: 'Ann', unreadCount: 5, lastMessageAt: 200 })
    expect(chats.count('s')).toBe(3)
    expect(chats.list('s').map((c) => c.jid)).toEqual(['b@g.us', 'a@s.whatsapp.net', 'c@s.whatsapp.net'])
    expect(chats.list('s', { limit: 1, offset: 1 }).map((c) => c.jid)).toEqual(['a@s.whatsapp.net'])
    expect(chats.delete('s', 'c@s.whatsapp.net')).toBe(true)
    expect(chats.count('s')).toBe(2)
    expect(chats.count('other')).toBe(0)
  })
})

describe('contacts repository', () => {
  it('keeps LID ↔ phone pairs and finds by either', () => {
    createSessionsRepo(db).create({ id: 's', token: 't' })
    const contacts = createContactsRepo(db)
    const pn = '15551234567@s.whatsapp.net'
    const lid = '987654321@lid'

    contacts.upsertLidPn('s', lid, pn) // nobody known yet: a row keyed by the phone JID
    expect(contacts.findByLid('s', lid)).toEqual({ sessionId: 's', jid: pn, lid, phoneNumber: pn, name: null, notify: null })
    expect(contacts.findByPn('s', pn)?.lid).toBe(lid)

    contacts.upsert({ sessionId: 's', jid: pn, notify: 'Ann' })
    contacts.upsert({ sessionId: 's', jid: pn, name: 'Ann Smith' })
    expect(contacts.get('s', pn)).toMatchObject({ lid, phoneNumber: pn, name: 'Ann Smith', notify: 'Ann' })

    // a chat first seen by LID only, then paired: both rows learn the pair
    const lid2 = '111@lid'
    const pn2 = '15550000002@s.whatsapp.net'
    contacts.upsert({ sessionId: 's', jid: lid2, notify: 'Bob' })
    expect(contacts.findByLid('s', lid2)?.jid).toBe(lid2)
    expect(contacts.findByPn('s', pn2)).toBeUndefined()
    contacts.upsertLidPn('s', lid2, pn2)
    expect(contacts.findByPn('s', pn2)).toMatchObject({ jid: lid2, lid: lid2, phoneNumber: pn2, notify: 'Bob' })
    expect(contacts.count('s')).toBe(2)
    expect(contacts.list('s').map((c) => c.jid)).toEqual([lid2, pn])
    expect(contacts.findByLid('s', 'none@lid')).toBeUndefined()
  })
})
