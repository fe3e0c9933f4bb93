/** Webhook delivery attempts per session, newest first. */
import { create } from 'zustand'
import type { BridgeEvent } from '../../../shared/bridge.js'
import type { WebhookDelivery } from '../../../shared/domain.js'

export const MAX_DELIVERIES = 100

export interface WebhooksState {
  byId: Record<string, WebhookDelivery[]>
}

export const initialWebhooks: WebhooksState = { byId: {} }
export const useWebhooks = create<WebhooksState>(() => initialWebhooks)

/** The host lists deliveries oldest first; the log shows them newest first. */
export function setDeliveries(state: WebhooksState, id: string, deliveries: WebhookDelivery[]): WebhooksState {
  const sorted = [...deliveries].sort((a, b) => b.at - a.at).slice(0, MAX_DELIVERIES)
  return { byId: { ...state.byId, [id]: sorted } }
}

export function applyWebhookEvent(state: WebhooksState, event: BridgeEvent): WebhooksState {
  if (event.type !== 'webhook_delivery') return state
  const current = state.byId[event.sessionId] ?? []
  return { byId: { ...state.byId, [event.sessionId]: [event.delivery, ...current].slice(0, MAX_DELIVERIES) } }
}
