/**
 * A real browser for end-to-end tests: Debian's Chromium driven by playwright-core. `npx playwright install` cannot
 * download browsers here, so the system one is used; CI installs it (`.ci/run`). WADOCK_CHROMIUM overrides the path.
 */
import { existsSync } from 'node:fs'
import { type Browser, chromium } from 'playwright-core'

export const CHROMIUM_PATH = process.env.WADOCK_CHROMIUM ?? '/usr/bin/chromium'

/** Whether a Chromium exists to run browser tests with. */
export const hasChromium = existsSync(CHROMIUM_PATH)

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    // the flags that keep Chromium from reaching for Google's services on a machine without internet
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'
    ]
  })
}
