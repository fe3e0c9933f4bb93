/**
 * The bridge on Electron's IPC: one `ipcMain.handle` per method (any earlier handler removed first), answering only
 * the app's own window (its webContents, its main frame, showing the app's own page); anything else is refused
 * without running the method and logged. Arguments are validated by the bridge (zod) like every other transport's.
 * Events go to the window through one channel, queued from each page load until the page subscribes.
 */
import type { IpcMain, IpcMainEvent, IpcMainInvokeEvent, WebContents } from 'electron'
import type { Logger } from 'pino'
import { BRIDGE_METHODS, type BridgeResult, IPC_EVENT_CHANNEL, IPC_READY_CHANNEL, ipcChannelOf } from '../../shared/bridge.js'
import type { Bridge, FeedClient } from '../bridge/index.js'

/** What of a sender the check looks at (Electron's events carry more). */
export type SenderEvent = Pick<IpcMainInvokeEvent | IpcMainEvent, 'sender' | 'senderFrame'>

export type IpcMainLike = Pick<IpcMain, 'handle' | 'removeHandler' | 'on' | 'removeListener'>

/** The window's webContents, as far as the IPC layer uses it. */
export type WindowContents = Pick<WebContents, 'send' | 'on' | 'once' | 'off' | 'isDestroyed' | 'mainFrame'>

export interface BridgeIpcOptions {
  ipcMain: IpcMainLike
  bridge: Bridge
  /** the app's own window's webContents, while there is one */
  contents: () => WindowContents | undefined
  /** whether a frame URL is one of the app's own pages */
  isAppUrl: (url: string) => boolean
  logger?: Logger
}

export const FORBIDDEN: BridgeResult = {
  ok: false,
  error: { name: 'ForbiddenError', message: 'only the WaDock window may call the bridge', code: 'forbidden' }
}

/** A sender is trusted when it is the app window's main frame showing one of the app's own pages. */
export function isTrustedSender(event: SenderEvent, contents: WindowContents | undefined, isAppUrl: (url: string) => boolean): boolean {
  if (!contents || contents.isDestroyed() || event.sender !== contents) return false
  const frame = event.senderFrame
  return !!frame && frame === contents.mainFrame && isAppUrl(frame.url)
}

export interface BridgeIpc {
  /** starts sending events to the window's webContents (queued until its page is ready); call for each new window */
  attach(contents: WindowContents): void
  dispose(): void
}

export function registerBridgeIpc(options: BridgeIpcOptions): BridgeIpc {
  const { ipcMain, bridge, logger } = options
  const trusted = (event: SenderEvent) => isTrustedSender(event, options.contents(), options.isAppUrl)
  const refuse = (event: SenderEvent, what: string) => {
    logger?.warn({ what, url: event.senderFrame?.url }, 'bridge call from a foreign sender dropped')
  }

  for (const method of BRIDGE_METHODS) {
    const channel = ipcChannelOf(method)
    ipcMain.removeHandler(channel)
    ipcMain.handle(channel, async (event, ...args: unknown[]) => {
      if (!trusted(event)) {
        refuse(event, method)
        return FORBIDDEN
      }
      return bridge.call(method, args)
    })
  }

  let client: FeedClient | undefined
  let detach: (() => void) | undefined
  const onReady = (event: IpcMainEvent) => {
    if (!trusted(event)) return refuse(event, IPC_READY_CHANNEL)
    client?.ready()
  }
  ipcMain.on(IPC_READY_CHANNEL, onReady)

  return {
    attach(contents) {
      detach?.()
      const connect = () => {
        client?.close()
        client = bridge.feed.connect(event => {
          if (!contents.isDestroyed()) contents.send(IPC_EVENT_CHANNEL, event)
        })
      }
      // a reload starts a new page: queue again until it subscribes
      const onLoading = () => connect()
      const onDestroyed = () => {
        client?.close()
        client = undefined
      }
      connect()
      contents.on('did-start-loading', onLoading)
      contents.once('destroyed', onDestroyed)
      detach = () => {
        contents.off('did-start-loading', onLoading)
        contents.off('destroyed', onDestroyed)
        onDestroyed()
      }
    },
    dispose() {
      for (const method of BRIDGE_METHODS) ipcMain.removeHandler(ipcChannelOf(method))
      ipcMain.removeListener(IPC_READY_CHANNEL, onReady)
      detach?.()
      detach = undefined
    }
  }
}
