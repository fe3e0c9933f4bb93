/** WaDock's results in wuzapi's shapes: times, JIDs, groups. */
import type { SessionInfo } from '../../../../shared/domain.js'
import type { GroupInfo } from '../../../../shared/operations.js'

/** Go's zero time, which wuzapi shows for times that never happened. */
export const ZERO_TIME = '0001-01-01T00:00:00Z'

/** Seconds since the epoch as RFC 3339 (what Go's time.Time marshals to), or the zero time. */
export function rfc3339(seconds: number | null | undefined): string {
  if (!seconds) return ZERO_TIME
  return new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z')
}

/** The linked device's JID as wuzapi shows it (`5491155554444.0:52@s.whatsapp.net`); empty when not linked. */
export function deviceJid(info: Pick<SessionInfo, 'phoneNumber' | 'deviceId'>): string {
  return info.phoneNumber ? `${info.phoneNumber}.0:${info.deviceId ?? 0}@s.whatsapp.net` : ''
}

/** Groups' members as wuzapi shows them: by phone-number JID where the group knows it (LID groups name LIDs). */
export function wuzapiGroup(group: GroupInfo) {
  const byPhone = (jid: string | null) => {
    if (!jid) return ''
    const member = group.participants.find(p => p.jid === jid || p.lid === jid)
    return member?.phoneNumber ?? jid
  }
  return {
    AnnounceVersionID: '',
    DisappearingTimer: 0,
    GroupCreated: rfc3339(group.creation),
    IsAnnounce: group.announce,
    IsEphemeral: false,
    IsLocked: group.locked,
    JID: group.id,
    Name: group.subject,
    NameSetAt: rfc3339(group.subjectTime),
    NameSetBy: byPhone(group.subjectOwner),
    OwnerJID: byPhone(group.owner),
    ParticipantVersionID: '',
    Participants: group.participants.map(p => ({
      IsAdmin: p.admin !== null,
      IsSuperAdmin: p.admin === 'superadmin',
      JID: byPhone(p.jid)
    })),
    Topic: group.description ?? '',
    TopicID: '',
    TopicSetAt: ZERO_TIME,
    TopicSetBy: ''
  }
}
