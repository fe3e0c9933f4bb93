/** Back to the state before any data arrived (tests; signing in again with another token). */
import { initialApp, useApp } from './app.js'
import { initialEvents, useEvents } from './events.js'
import { initialLinking, useLinking } from './linking.js'
import { initialSessions, useSessions } from './sessions.js'
import { initialStorage, useStorage } from './storage.js'
import { initialWebhooks, useWebhooks } from './webhooks.js'

export function resetStores(): void {
  useApp.setState(initialApp, true)
  useSessions.setState(initialSessions, true)
  useLinking.setState(initialLinking, true)
  useStorage.setState(initialStorage, true)
  useEvents.setState(initialEvents, true)
  useWebhooks.setState(initialWebhooks, true)
}
