/**
 * Which bridge the UI talks to: the preload's `window.wadock` in the desktop app; in a browser, a WebSocket
 * client to the headless runner that serves this page.
 */
import type { WaDockBridge } from '../../../shared/bridge.js'

declare global {
  interface Window {
    wadock?: WaDockBridge
  }
}

export function electronBridge(): WaDockBridge | undefined {
  return typeof window !== 'undefined' ? window.wadock : undefined
}

export { type ConnectionState, WebBridgeClient, webBridgeUrl } from './web-bridge.js'
export { forgetToken, saveToken, takeToken } from './token.js'
