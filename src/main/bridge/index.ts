/** The bridge contract implemented against the host, for every transport (Electron IPC, headless mode's WebSocket). */
export { type Bridge, type BridgeDeps, type BridgeHandlers, createBridgeHandlers } from './handlers.js'
export { EventFeed, type EventFeedOptions, type FeedClient } from './event-feed.js'
export { SandboxError, toBridgeError } from './errors.js'
