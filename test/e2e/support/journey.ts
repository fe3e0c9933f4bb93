/**
 * The UI journey both end-to-end suites walk (web UI in Chromium, desktop app in Electron): every step acts
 * through the page as a user would and waits on the UI's own markers (data-app-state, data-status, test ids).
 */
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { expect } from 'vitest'
import { ROOT } from './renderer-build.js'

export const ARTIFACTS = join(ROOT, 'test-results')
const STEP_TIMEOUT = 30_000

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true })
  const path = join(ARTIFACTS, `${name}.png`)
  await page.screenshot({ path, fullPage: false })
  return path
}

export async function waitReady(page: Page): Promise<void> {
  await page.locator('#root[data-app-state="ready"]').waitFor({ timeout: STEP_TIMEOUT })
}

export const statusOf = (page: Page) => page.getByTestId('session-status')

export async function waitStatus(page: Page, status: string): Promise<void> {
  await page.locator(`[data-testid="session-status"][data-status="${status}"]`).waitFor({ timeout: STEP_TIMEOUT })
}

/** Creates a session through the dialog; returns its id once its page shows. */
export async function createSessionInUi(page: Page, name: string): Promise<string> {
  await page.getByTestId('new-session-button').click()
  const dialog = page.getByTestId('create-dialog')
  await dialog.waitFor()
  await dialog.getByTestId('create-name').fill(name)
  await dialog.getByTestId('create-method-qr').check()
  await dialog.getByTestId('create-submit').click()
  const sessionPage = page.getByTestId('session-page')
  await sessionPage.waitFor({ timeout: STEP_TIMEOUT })
  await dialog.waitFor({ state: 'detached' })
  const id = await sessionPage.getAttribute('data-session-id')
  expect(id).toBeTruthy()
  await expect.poll(() => page.locator('h2#session-title').textContent()).toBe(name)
  return id!
}

/** Waits for the live QR; returns the QR string it encodes. */
export async function waitForQr(page: Page): Promise<string> {
  await waitStatus(page, 'waiting_for_qr')
  const image = page.getByTestId('qr-image')
  await image.waitFor({ timeout: STEP_TIMEOUT })
  const src = await image.getAttribute('src')
  expect(src).toMatch(/^data:image\/png;base64,/)
  await page.getByTestId('qr-countdown').waitFor()
  return (await image.getAttribute('data-qr'))!
}

/** The virtual phone panel scans the QR shown; the page then shows the session logged in with that number. */
export async function linkWithVirtualPhone(page: Page, phone: string, name: string): Promise<void> {
  const panel = page.getByTestId('virtual-phone')
  await panel.getByTestId('vp-phone').fill(phone)
  await panel.getByTestId('vp-name').fill(name)
  await panel.getByTestId('vp-link').click()
  await waitStatus(page, 'logged_in')
  await expect.poll(() => page.getByTestId('session-phone').textContent(), { timeout: STEP_TIMEOUT }).toBe(`+${phone}`)
}

export async function waitStorageShown(page: Page): Promise<{ total: number; contacts: number; chats: number }> {
  const panel = page.locator('[data-testid="storage-panel"][data-loaded="true"]')
  await panel.waitFor({ timeout: STEP_TIMEOUT })
  for (const folder of ['media', 'profile', 'thumb']) await panel.getByTestId(`storage-bar-${folder}`).waitFor()
  const value = async (id: string) => Number(await panel.getByTestId(id).getAttribute('data-value'))
  return { total: await value('storage-total'), contacts: await value('storage-contacts'), chats: await value('storage-chats') }
}

/** Another virtual phone writes to the session; the message shows among its recent events. */
export async function receiveFromVirtualPhone(page: Page, fromPhone: string, text: string): Promise<void> {
  const panel = page.getByTestId('virtual-phone')
  await panel.getByTestId('vp-from').fill(fromPhone)
  await panel.getByTestId('vp-text').fill(text)
  await panel.getByTestId('vp-send').click()
  await page.locator('[data-testid="event-item"][data-type="message"]', { hasText: text }).waitFor({ timeout: STEP_TIMEOUT })
  await expect.poll(() => page.locator('[data-testid="event-item"][data-type="message"]', { hasText: text }).textContent())
    .toContain(`from ${fromPhone}`)
}

/** Logs out through the confirmation; the page shows the session disconnected. */
export async function logOutInUi(page: Page): Promise<void> {
  await page.getByTestId('action-logout').click()
  const confirm = page.getByTestId('confirm-dialog')
  await confirm.waitFor()
  await confirm.getByTestId('confirm-ok').click()
  await waitStatus(page, 'disconnected')
}
