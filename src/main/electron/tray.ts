/** The tray icon and menu, rebuilt from tray-model.ts whenever sessions or settings change (at most every 250 ms). */
import { join } from 'node:path'
import { Menu, type MenuItemConstructorOptions, type NativeImage, nativeImage, Tray } from 'electron'
import { type TrayAction, type TrayInput, type TrayMenuItem, type TrayModel, trayModel } from './tray-model.js'

export interface AppTrayOptions {
  /** the folder holding tray-<state>.png (and @2x) */
  iconDir: string
  input: () => TrayInput
  onAction: (action: TrayAction) => void
  /** calls `changed` whenever the input may have changed; returns the unsubscribe */
  subscribe: (changed: () => void) => () => void
  /** a click on the icon itself (Windows, Linux) */
  onClick?: () => void
}

export interface AppTray {
  readonly model: TrayModel
  refresh(): void
  destroy(): void
}

function template(items: TrayMenuItem[], onAction: (action: TrayAction) => void): MenuItemConstructorOptions[] {
  return items.map(item => {
    switch (item.kind) {
      case 'separator': return { type: 'separator' }
      case 'label': return { label: item.label, enabled: false }
      case 'action': return { label: item.label, click: () => onAction(item.action) }
      case 'checkbox': return { label: item.label, type: 'checkbox', checked: item.checked, click: () => onAction(item.action) }
    }
  })
}

export function createAppTray(options: AppTrayOptions): AppTray {
  const icons = new Map<string, NativeImage>()
  const iconOf = (file: string) => {
    let icon = icons.get(file)
    if (!icon) {
      icon = nativeImage.createFromPath(join(options.iconDir, file))
      icons.set(file, icon)
    }
    return icon
  }
  let model = trayModel(options.input())
  const tray = new Tray(iconOf(model.icon))
  const apply = () => {
    model = trayModel(options.input())
    tray.setImage(iconOf(model.icon))
    tray.setToolTip(model.tooltip)
    tray.setContextMenu(Menu.buildFromTemplate(template(model.menu, options.onAction)))
  }
  apply()
  if (options.onClick) tray.on('click', options.onClick)

  let timer: NodeJS.Timeout | undefined
  const unsubscribe = options.subscribe(() => {
    timer ??= setTimeout(() => {
      timer = undefined
      if (!tray.isDestroyed()) apply()
    }, 250)
  })
  return {
    get model() {
      return model
    },
    refresh: apply,
    destroy() {
      unsubscribe()
      if (timer) clearTimeout(timer)
      timer = undefined
      if (!tray.isDestroyed()) tray.destroy()
    }
  }
}
