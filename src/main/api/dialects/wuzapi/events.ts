/**
 * wuzapi's webhook event types and WaDock's. A subscription of wuzapi names becomes the session's webhook event
 * filter; reading it back names every wuzapi type whose WaDock events are all subscribed. `All` (or nothing valid)
 * is no filter. Types WaDock has no event for (HistorySync, CallOffer…) are accepted and deliver nothing.
 */
import type { WebhookConfig } from '../../../../shared/domain.js'

type EventType = NonNullable<WebhookConfig['events']>[number]

/** wuzapi's types and the WaDock events its webhook format renders as them (webhooks/formats/wuzapi.ts). */
export const WUZAPI_EVENTS: Readonly<Record<string, readonly EventType[]>> = {
  Message: ['message', 'message_sent'],
  ReadReceipt: ['receipt', 'message_ack'],
  Presence: ['presence'],
  ChatPresence: ['chatstate'],
  Connected: ['connected'],
  Disconnected: ['disconnected'],
  LoggedOut: ['logged_out'],
  QR: ['qr'],
  GroupInfo: ['group'],
  HistorySync: [],
  QRTimeout: [],
  UndecryptableMessage: [],
  Picture: [],
  CallOffer: [],
  All: []
}

/** Other names wuzapi takes for the same events; read back under the first name. */
const ALIASES: Readonly<Record<string, string>> = { Receipt: 'ReadReceipt', PairSuccess: 'Connected', JoinedGroup: 'GroupInfo' }

const typesOf = (name: string) => WUZAPI_EVENTS[ALIASES[name] ?? name] ?? []
const isKnown = (name: string) => Object.hasOwn(WUZAPI_EVENTS, name) || Object.hasOwn(ALIASES, name)

export interface Subscription {
  /** the wuzapi names kept, in the order given (unknown ones dropped, as wuzapi does); `["All"]` when none */
  names: string[]
  /** the webhook filter: undefined for every event */
  events: EventType[] | undefined
}

/** Parses wuzapi event names (an array, or a comma-separated string as `/admin/users` takes them). */
export function subscription(input: readonly string[] | string | undefined): Subscription {
  const list = typeof input === 'string' ? input.split(',') : input ?? []
  const names = [...new Set(list.map(n => n.trim()).filter(isKnown))]
  if (!names.length || names.includes('All')) return { names: names.length ? names : ['All'], events: undefined }
  const events = [...new Set(names.flatMap(typesOf))]
  // Only types WaDock has no event for: an empty filter would mean every event, so filter on bare status changes,
  // which wuzapi's format never renders, and nothing is delivered.
  return { names, events: events.length ? events : ['status'] }
}

/** The wuzapi names a webhook filter stands for. */
export function subscribedNames(events: readonly EventType[] | undefined): string[] {
  if (events === undefined) return ['All']
  const set = new Set(events)
  return Object.entries(WUZAPI_EVENTS)
    .filter(([, types]) => types.length > 0 && types.every(t => set.has(t)))
    .map(([name]) => name)
}
