/**
 * The desktop app end to end: the built app (out/main) in a real Electron, in sandbox mode, walking the same
 * journey as the web UI through the window. Needs an Electron binary; where there is none (its download is not
 * possible on every machine) the suite reports itself as skipped, with the reason.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { _electron as electron, type ElectronApplication, type Page } from 'playwright-core'
import { afterAll, describe, expect, inject, it } from 'vitest'
import { testPort } from '../support/headless-runner.js'
import {
  createSessionInUi, linkWithVirtualPhone, logOutInUi, receiveFromVirtualPhone, screenshot, waitForQr, waitReady,
  waitStorageShown
} from './support/journey.js'
import { ensureRendererBuilt, ROOT } from './support/renderer-build.js'

const MAIN_ENTRY = join(ROOT, 'out', 'main', 'index.js')

/**
 * The Electron binary that `npm install electron` downloaded, or why there is none. Read from the package's
 * path.txt rather than by requiring it: requiring it tries to download a missing binary.
 */
function electronBinary(): { path: string } | { missing: string } {
  if (process.env.WADOCK_ELECTRON) {
    return existsSync(process.env.WADOCK_ELECTRON) ? { path: process.env.WADOCK_ELECTRON } : { missing: `WADOCK_ELECTRON=${process.env.WADOCK_ELECTRON} does not exist` }
  }
  let packageDir: string
  try {
    packageDir = dirname(createRequire(import.meta.url).resolve('electron/package.json'))
  } catch {
    return { missing: 'the electron package is not installed' }
  }
  const pathFile = join(packageDir, 'path.txt')
  if (!existsSync(pathFile)) return { missing: 'the electron package was installed without its binary (ELECTRON_SKIP_BINARY_DOWNLOAD)' }
  const path = join(packageDir, 'dist', readFileSync(pathFile, 'utf8').trim())
  return existsSync(path) ? { path } : { missing: `${path} does not exist` }
}

const binary = electronBinary()
const skipReason = 'missing' in binary
  ? `no Electron binary: ${binary.missing}; install it where downloads work, or point WADOCK_ELECTRON at one`
  : ''

let app: ElectronApplication | undefined
let home: string | undefined

afterAll(async () => {
  await app?.close()
  if (home) rmSync(home, { recursive: true, force: true })
})

async function launch(userData: string): Promise<ElectronApplication> {
  return electron.launch({
    executablePath: (binary as { path: string }).path,
    args: [MAIN_ENTRY, `--user-data-dir=${userData}`],
    // Linux places userData under XDG_CONFIG_HOME: keep the test's app away from the user's own
    env: { ...process.env, XDG_CONFIG_HOME: join(home!, 'config'), ELECTRON_ENABLE_LOGGING: '1' },
    timeout: 60_000
  })
}

describe('desktop app (Electron)', () => {
  it.skipIf(!!skipReason)(`the journey in the app window${skipReason ? ` — skipped: ${skipReason}` : ''}`, async () => {
    const build = inject('rendererBuild') ?? await ensureRendererBuilt()
    if (!build.ok) throw new Error(`the app could not be built:\n${build.error}`)
    if (!existsSync(MAIN_ENTRY)) throw new Error(`no ${MAIN_ENTRY}: \`npx electron-vite build\` did not build the main process`)
    home = mkdtempSync(join(tmpdir(), 'wadock-electron-'))
    const userDataDir = join(home, 'user-data')
    mkdirSync(userDataDir, { recursive: true })

    // a first start finds where the app keeps its settings; then sandbox mode is switched on there
    app = await launch(userDataDir)
    const userData = await app.evaluate(({ app: electronApp }) => electronApp.getPath('userData'))
    await app.close()
    app = undefined
    const settingsFile = join(userData, 'settings.json')
    const saved = existsSync(settingsFile) ? JSON.parse(readFileSync(settingsFile, 'utf8')) as Record<string, unknown> : {}
    writeFileSync(settingsFile, JSON.stringify({ ...saved, sandbox: true, rest: { enabled: true, host: '127.0.0.1', port: testPort() } }))

    app = await launch(userDataDir)
    const page: Page = await app.firstWindow()
    page.on('pageerror', err => { console.error('page error:', err.message) })
    await waitReady(page)
    await page.getByTestId('virtual-phone').or(page.getByTestId('welcome')).first().waitFor()

    const id = await createSessionInUi(page, 'Desktop line')
    await waitForQr(page)
    await screenshot(page, 'electron-01-qr')
    await linkWithVirtualPhone(page, '15550003333', 'Carol')
    await waitStorageShown(page)
    await receiveFromVirtualPhone(page, '15550004444', 'Hello, desktop')
    await screenshot(page, 'electron-02-session-page')
    await logOutInUi(page)
    expect(await page.getByTestId(`session-row-${id}`).getAttribute('data-status')).toBe('disconnected')
  }, 240_000)
})
