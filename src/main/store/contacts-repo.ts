/**
 * The `contacts` table, including the LID ↔ phone-number pairs Baileys 7 reveals (remoteJidAlt, participantAlt,
 * lid-mapping.update), so a chat addressed by `@lid` can be shown and answered by phone number and vice versa.
 * `lid` and `phoneNumber` hold full JIDs (`…@lid`, `…@s.whatsapp.net`), as Baileys gives them.
 */
import type { Db } from './database.js'

export interface ContactRecord {
  sessionId: string
  /** the JID the contact is known by: a phone-number JID, or a LID when no phone number is known */
  jid: string
  lid: string | null
  phoneNumber: string | null
  /** the name saved in the address book */
  name: string | null
  /** the push name the contact chose */
  notify: string | null
}

/** Fields left undefined (or null) keep their stored value. */
export interface ContactInput {
  sessionId: string
  jid: string
  lid?: string | null
  phoneNumber?: string | null
  name?: string | null
  notify?: string | null
}

export interface ContactsRepo {
  upsert(contact: ContactInput): void
  /**
   * Records that `lid` and `pn` are the same person: every row known by either JID gets both; when neither is
   * known yet a row keyed by the phone-number JID is created.
   */
  upsertLidPn(sessionId: string, lid: string, pn: string): void
  get(sessionId: string, jid: string): ContactRecord | undefined
  findByLid(sessionId: string, lid: string): ContactRecord | undefined
  findByPn(sessionId: string, pn: string): ContactRecord | undefined
  list(sessionId: string): ContactRecord[]
  count(sessionId: string): number
}

interface ContactRow {
  session_id: string
  jid: string
  lid: string | null
  phone_number: string | null
  name: string | null
  notify: string | null
}

const fromRow = (row: ContactRow): ContactRecord => ({
  sessionId: row.session_id,
  jid: row.jid,
  lid: row.lid,
  phoneNumber: row.phone_number,
  name: row.name,
  notify: row.notify
})

export function createContactsRepo(db: Db): ContactsRepo {
  const stmt = {
    upsert: db.prepare(`INSERT INTO contacts (session_id, jid, lid, phone_number, name, notify)
      VALUES (@sessionId, @jid, @lid, @phoneNumber, @name, @notify)
      ON CONFLICT (session_id, jid) DO UPDATE SET
        lid = COALESCE(excluded.lid, lid),
        phone_number = COALESCE(excluded.phone_number, phone_number),
        name = COALESCE(excluded.name, name),
        notify = COALESCE(excluded.notify, notify)`),
    linkExisting: db.prepare<[string, string, string, string, string]>(`UPDATE contacts SET lid = ?, phone_number = ?
      WHERE session_id = ? AND jid IN (?, ?)`),
    get: db.prepare<[string, string], ContactRow>('SELECT * FROM contacts WHERE session_id = ? AND jid = ?'),
    // Two indexed lookups rather than one `lid = ? OR jid = ?`, which SQLite answers by scanning the session.
    byLid: db.prepare<[string, string], ContactRow>('SELECT * FROM contacts WHERE session_id = ? AND lid = ? ORDER BY jid LIMIT 1'),
    byPn: db.prepare<[string, string], ContactRow>(
      'SELECT * FROM contacts WHERE session_id = ? AND phone_number = ? ORDER BY jid LIMIT 1'),
    list: db.prepare<[string], ContactRow>('SELECT * FROM contacts WHERE session_id = ? ORDER BY jid'),
    count: db.prepare<[string], { n: number }>('SELECT COUNT(*) AS n FROM contacts WHERE session_id = ?')
  }

  const upsert = (c: ContactInput): void => {
    stmt.upsert.run({
      sessionId: c.sessionId,
      jid: c.jid,
      lid: c.lid ?? null,
      phoneNumber: c.phoneNumber ?? null,
      name: c.name ?? null,
      notify: c.notify ?? null
    })
  }

  const upsertLidPn = db.transaction((sessionId: string, lid: string, pn: string) => {
    const changed = stmt.linkExisting.run(lid, pn, sessionId, pn, lid).changes
    if (changed === 0) upsert({ sessionId, jid: pn, lid, phoneNumber: pn })
  })

  return {
    upsert,
    upsertLidPn: (sessionId, lid, pn) => upsertLidPn(sessionId, lid, pn),
    get(sessionId, jid) {
      const row = stmt.get.get(sessionId, jid)
      return row && fromRow(row)
    },
    // A row that records the pair wins over one merely keyed by the JID.
    findByLid(sessionId, lid) {
      const row = stmt.byLid.get(sessionId, lid) ?? stmt.get.get(sessionId, lid)
      return row && fromRow(row)
    },
    findByPn(sessionId, pn) {
      const row = stmt.byPn.get(sessionId, pn) ?? stmt.get.get(sessionId, pn)
      return row && fromRow(row)
    },
    list(sessionId) {
      return stmt.list.all(sessionId).map(fromRow)
    },
    count(sessionId) {
      return stmt.count.get(sessionId)!.n
    }
  }
}
