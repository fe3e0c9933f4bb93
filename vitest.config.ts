import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Integration suites start real servers and real Baileys clients; two cores run two files at a time.
    maxWorkers: 2,
    reporters: process.env.CI ? ['default'] : ['default'],
    // the browser suites load the built renderer (out/renderer/): built here, once, when stale
    globalSetup: ['test/e2e/support/global-setup.ts']
  }
})
