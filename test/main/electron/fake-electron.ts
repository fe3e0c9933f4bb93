/**
 * A hand-written stand-in for the few Electron objects the IPC layer and the preload touch (ipcMain, a window's
 * webContents and frames, contextBridge, ipcRenderer). The Electron binary cannot run on this machine, so this is the
 * one mock in the suite; it is labelled as such. It keeps Electron's observable rules that matter here: arguments and
 * results cross as structured clones, `handle` throws on a second handler for a channel, and every event names the
 * webContents and frame that sent it.
 */
import { EventEmitter } from 'node:events'

export interface FakeFrame { url: string }

export class FakeWebContents extends EventEmitter {
  readonly mainFrame: FakeFrame
  /** listeners the renderer side registered with ipcRenderer.on */
  readonly rendererListeners = new Map<string, Set<(event: unknown, payload: unknown) => void>>()
  readonly sent: { channel: string; payload: unknown }[] = []
  destroyed = false

  constructor(url: string) {
    super()
    this.mainFrame = { url }
  }

  send(channel: string, payload: unknown): void {
    if (this.destroyed) throw new Error('Object has been destroyed')
    this.sent.push({ channel, payload })
    for (const listener of this.rendererListeners.get(channel) ?? []) listener({}, structuredClone(payload))
  }

  isDestroyed(): boolean {
    return this.destroyed
  }
}

export interface SenderEvent { sender: unknown; senderFrame: FakeFrame | null }

export class FakeIpcMain {
  readonly handlers = new Map<string, (event: SenderEvent, ...args: unknown[]) => unknown>()
  readonly listeners = new Map<string, Set<(event: SenderEvent, ...args: unknown[]) => void>>()
  /** `handle:<channel>` / `removeHandler:<channel>`, in call order */
  readonly calls: string[] = []

  handle(channel: string, handler: (event: SenderEvent, ...args: unknown[]) => unknown): void {
    this.calls.push(`handle:${channel}`)
    if (this.handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`)
    this.handlers.set(channel, handler)
  }

  removeHandler(channel: string): void {
    this.calls.push(`removeHandler:${channel}`)
    this.handlers.delete(channel)
  }

  on(channel: string, listener: (event: SenderEvent, ...args: unknown[]) => void): this {
    if (!this.listeners.has(channel)) this.listeners.set(channel, new Set())
    this.listeners.get(channel)!.add(listener)
    return this
  }

  removeListener(channel: string, listener: (event: SenderEvent, ...args: unknown[]) => void): this {
    this.listeners.get(channel)?.delete(listener)
    return this
  }

  /** What `ipcRenderer.invoke` from `event`'s sender does: the arguments and the answer cross as clones. */
  async invoke(channel: string, event: SenderEvent, ...args: unknown[]): Promise<unknown> {
    const handler = this.handlers.get(channel)
    if (!handler) throw new Error(`No handler registered for '${channel}'`)
    return structuredClone(await handler(event, ...structuredClone(args)))
  }

  emit(channel: string, event: SenderEvent, ...args: unknown[]): void {
    for (const listener of this.listeners.get(channel) ?? []) listener(event, ...structuredClone(args))
  }
}

/** The renderer side of one frame of `contents`: ipcRenderer as the preload sees it. */
export function fakeIpcRenderer(ipcMain: FakeIpcMain, contents: FakeWebContents, frame: FakeFrame = contents.mainFrame) {
  const event = () => ({ sender: contents, senderFrame: frame })
  return {
    invoke: (channel: string, ...args: unknown[]) => ipcMain.invoke(channel, event(), ...args),
    send: (channel: string, ...args: unknown[]) => ipcMain.emit(channel, event(), ...args),
    on(channel: string, listener: (event: unknown, payload: unknown) => void) {
      if (!contents.rendererListeners.has(channel)) contents.rendererListeners.set(channel, new Set())
      contents.rendererListeners.get(channel)!.add(listener)
    },
    removeListener(channel: string, listener: (event: unknown, payload: unknown) => void) {
      contents.rendererListeners.get(channel)?.delete(listener)
    }
  }
}
