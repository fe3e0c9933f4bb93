/** wuzapi event names ↔ WaDock's webhook filter: what a subscription stores and how it reads back. */
import { describe, expect, it } from 'vitest'
import { subscribedNames, subscription } from '../../../../../src/main/api/dialects/wuzapi/events.js'

describe('wuzapi event subscriptions', () => {
  it('maps names to WaDock events, drops unknown ones and reads them back', () => {
    expect(subscription(['Message', 'Bogus', 'ReadReceipt', 'Message'])).toEqual({ names: ['Message', 'ReadReceipt'], events: ['message', 'message_sent', 'receipt', 'message_ack'] })
    expect(subscribedNames(['message', 'message_sent', 'receipt', 'message_ack'])).toEqual(['Message', 'ReadReceipt'])
    expect(subscription('Presence, ChatPresence')).toEqual({ names: ['Presence', 'ChatPresence'], events: ['presence', 'chatstate'] })
  })

  it('takes All, nothing, or only unknown names as every event', () => {
    for (const input of [undefined, [], ['Bogus'], ['All'], ['Message', 'All'], '']) {
      expect(subscription(input).events).toBeUndefined()
    }
    expect(subscription([]).names).toEqual(['All'])
    expect(subscribedNames(undefined)).toEqual(['All'])
  })

  it('reads aliases back under their first name, and a half-subscribed type not at all', () => {
    expect(subscription(['Receipt', 'PairSuccess', 'JoinedGroup']).events).toEqual(['receipt', 'message_ack', 'connected', 'group'])
    expect(subscribedNames(['receipt', 'message_ack', 'connected', 'group'])).toEqual(['ReadReceipt', 'Connected', 'GroupInfo'])
    expect(subscribedNames(['message'])).toEqual([])
  })

  it('delivers nothing for types WaDock has no event for', () => {
    const history = subscription(['HistorySync', 'CallOffer'])
    expect(history).toEqual({ names: ['HistorySync', 'CallOffer'], events: ['status'] })
    expect(subscribedNames(history.events)).toEqual([])
  })
})
