/**
 * App settings: one zod schema with defaults, changes validated field by field, and the conf-backed file the headless
 * runner keeps in its data folder (the desktop app's electron-store takes the same options): created with defaults,
 * private to the user, validated on every read, the admin token generated once.
 */
import { readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import Conf from 'conf'
import { describe, expect, it } from 'vitest'
import {
  DEFAULT_SETTINGS, ensureAdminToken, mergeSettings, openSettingsFile, parseSettings, type Settings, SettingsError, settingsConfOptions,
  settingsStoreOf
} from '../../../src/main/settings/index.js'
import { useTempDirs } from '../store/temp-dir.js'

const tempDir = useTempDirs()

describe('settings schema', () => {
  it('has the documented defaults', () => {
    expect(DEFAULT_SETTINGS).toEqual({
      rest: { enabled: true, host: '127.0.0.1', port: 7780 },
      adminToken: null,
      sandbox: false,
      startAtLogin: false,
      closeToTray: true
    })
    expect(parseSettings({ rest: { port: 9000 } }).rest).toEqual({ enabled: true, host: '127.0.0.1', port: 9000 })
    expect(parseSettings({ dataDir: '/srv/wadock' }).dataDir).toBe('/srv/wadock')
  })

  it('rejects bad values with every field named', () => {
    let error: SettingsError | undefined
    try {
      parseSettings({ rest: { port: 70_000, enabled: 'yes' }, adminToken: 'short', closeToTray: 1 }, '/x/settings.json')
    } catch (err) {
      error = err as SettingsError
    }
    expect(error).toBeInstanceOf(SettingsError)
    expect(error!.message).toMatch(/^invalid \/x\/settings\.json: /)
    expect(error!.issues.map(i => i.path).sort()).toEqual(['adminToken', 'closeToTray', 'rest.enabled', 'rest.port'])
  })

  it('merges a change field by field and validates it', () => {
    const next = mergeSettings(DEFAULT_SETTINGS, { rest: { port: 8123 }, startAtLogin: true, dataDir: '/d' })
    expect(next).toEqual({ ...DEFAULT_SETTINGS, rest: { ...DEFAULT_SETTINGS.rest, port: 8123 }, startAtLogin: true, dataDir: '/d' })
    expect(mergeSettings(next, { dataDir: null })).not.toHaveProperty('dataDir')
    expect(() => mergeSettings(DEFAULT_SETTINGS, { rest: { port: 0 } })).toThrow(SettingsError)
    expect(() => mergeSettings(DEFAULT_SETTINGS, { unknown: 1 } as never)).toThrow(/unrecognized/i)
  })
})

describe('settings file', () => {
  it('is created with defaults, readable only by the user, and survives reopening', () => {
    const dir = tempDir()
    const settings = openSettingsFile(dir)
    expect(settings.path).toBe(join(dir, 'settings.json'))
    expect(settings.get()).toEqual(DEFAULT_SETTINGS)
    expect(JSON.parse(readFileSync(settings.path, 'utf8'))).toEqual(DEFAULT_SETTINGS)
    expect(statSync(settings.path).mode & 0o777).toBe(0o600)
    settings.update({ rest: { enabled: false }, closeToTray: false })
    expect(openSettingsFile(dir).get()).toEqual({ ...DEFAULT_SETTINGS, rest: { ...DEFAULT_SETTINGS.rest, enabled: false }, closeToTray: false })
  })

  it('fills in what an older file lacks and refuses an invalid one clearly', () => {
    const dir = tempDir()
    const path = join(dir, 'settings.json')
    writeFileSync(path, JSON.stringify({ rest: { port: 8001 } }))
    expect(openSettingsFile(dir).get().rest).toEqual({ enabled: true, host: '127.0.0.1', port: 8001 })

    writeFileSync(path, JSON.stringify({ rest: { port: 'x' } }))
    expect(() => openSettingsFile(dir)).toThrow(new RegExp(`^invalid settings file ${path}: rest\\.port: `))
    writeFileSync(path, '{"rest":')
    expect(() => openSettingsFile(dir)).toThrow(/invalid settings file .*: not valid JSON/)
    // nothing was overwritten
    expect(readFileSync(path, 'utf8')).toBe('{"rest":')
  })

  it('validates every read: a file broken while open is reported, not used', () => {
    const dir = tempDir()
    const settings = openSettingsFile(dir)
    writeFileSync(settings.path, JSON.stringify({ sandbox: 'on' }))
    expect(() => settings.get()).toThrow(/sandbox/)
    expect(() => settings.update({ sandbox: true })).toThrow(SettingsError)
  })

  it('generates the admin token once, keeps it, and takes a given one instead', () => {
    const dir = tempDir()
    const settings = openSettingsFile(dir)
    const first = ensureAdminToken(settings)
    expect(first).toEqual({ token: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/), generated: true })
    expect(ensureAdminToken(openSettingsFile(dir))).toEqual({ token: first.token, generated: false })
    expect(ensureAdminToken(settings, 'given-token-0123456789')).toEqual({ token: 'given-token-0123456789', generated: false })
    expect(openSettingsFile(dir).get().adminToken).toBe('given-token-0123456789')
    expect(() => ensureAdminToken(settings, 'bad token')).toThrow(SettingsError)
  })

  it('the same options serve any conf-like store (what electron-store will be)', () => {
    const dir = tempDir()
    const conf = new Conf<Settings>({ ...settingsConfOptions(), cwd: dir })
    const settings = settingsStoreOf(conf as never)
    expect(settings.update({ sandbox: true }).sandbox).toBe(true)
    expect(conf.get('sandbox')).toBe(true)
    const memory = { path: 'memory', store: {} as Record<string, unknown> }
    const inMemory = settingsStoreOf(memory)
    expect(inMemory.get()).toEqual(DEFAULT_SETTINGS)
    inMemory.update({ rest: { host: 'localhost' } })
    expect(memory.store).toMatchObject({ rest: { host: 'localhost', port: 7780 } })
  })
})
