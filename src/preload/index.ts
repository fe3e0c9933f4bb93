/**
 * The preload: exposes the bridge on `window.wadock` as named functions, nothing raw (no ipcRenderer, no channels
 * chosen by the page). Each function invokes its method's own channel and rebuilds a failure into a BridgeError
 * with the host's message. `onEvent` shares one IPC listener among the page's subscribers; the first subscription
 * tells main the page is ready, which flushes the events main queued while the page loaded.
 *
 * Built as CommonJS (out/preload/index.cjs) with its imports bundled: a sandboxed preload can require only 'electron'.
 */
import { contextBridge, type IpcRendererEvent, ipcRenderer } from 'electron'
import {
  type BridgeEvent, type BridgeMethod, type BridgeResult, IPC_EVENT_CHANNEL, IPC_READY_CHANNEL, type WaDockBridge, ipcChannelOf,
  unwrapBridgeResult
} from '../shared/bridge.js'

async function invoke<T>(method: BridgeMethod, ...args: unknown[]): Promise<T> {
  const result = await ipcRenderer.invoke(ipcChannelOf(method), ...args) as BridgeResult<T>
  return unwrapBridgeResult(result)
}

const listeners = new Set<(event: BridgeEvent) => void>()
let listening = false

function deliver(_event: IpcRendererEvent, payload: BridgeEvent): void {
  for (const listener of [...listeners]) {
    try {
      listener(payload)
    } catch (err) {
      // one failing subscriber must not keep the event from the others
      console.error('WaDock event listener failed', err)
    }
  }
}

const bridge: WaDockBridge = {
  appInfo: () => invoke('appInfo'),
  listSessions: () => invoke('listSessions'),
  getSession: id => invoke('getSession', id),
  createSession: request => invoke('createSession', request),
  connectSession: id => invoke('connectSession', id),
  disconnectSession: id => invoke('disconnectSession', id),
  logoutSession: id => invoke('logoutSession', id),
  deleteSession: id => invoke('deleteSession', id),
  clearSession: id => invoke('clearSession', id),
  requestPairingCode: (id, phoneNumber) => invoke('requestPairingCode', id, phoneNumber),
  currentQr: id => invoke('currentQr', id),
  storageStats: id => invoke('storageStats', id),
  sessionToken: id => invoke('sessionToken', id),
  rotateSessionToken: id => invoke('rotateSessionToken', id),
  getWebhook: id => invoke('getWebhook', id),
  setWebhook: (id, webhook) => invoke('setWebhook', id, webhook),
  webhookDeliveries: id => invoke('webhookDeliveries', id),
  recentEvents: id => invoke('recentEvents', id),
  getSettings: () => invoke('getSettings'),
  updateSettings: patch => invoke('updateSettings', patch),
  rotateAdminToken: () => invoke('rotateAdminToken'),
  sandboxLink: request => invoke('sandboxLink', request),
  sandboxSendMessage: request => invoke('sandboxSendMessage', request),
  onEvent(listener) {
    if (typeof listener !== 'function') throw new TypeError('onEvent needs a function')
    listeners.add(listener)
    if (!listening) {
      listening = true
      ipcRenderer.on(IPC_EVENT_CHANNEL, deliver)
      ipcRenderer.send(IPC_READY_CHANNEL)
    }
    return () => {
      listeners.delete(listener)
    }
  }
}

contextBridge.exposeInMainWorld('wadock', bridge)
