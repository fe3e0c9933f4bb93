/**
 * The built renderer that headless mode serves at /app/ (and Electron loads): `npx electron-vite build` writes it to
 * out/renderer/. Built again only when index.html is missing or older than a source it is made from.
 */
import { execFile } from 'node:child_process'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'

export const ROOT = join(import.meta.dirname, '..', '..', '..')
export const RENDERER_INDEX = join(ROOT, 'out', 'renderer', 'index.html')
const SOURCES = [join(ROOT, 'src', 'renderer'), join(ROOT, 'src', 'shared'), join(ROOT, 'electron.vite.config.ts')]

export interface RendererBuild {
  ok: boolean
  /** whether this run built it (false: it was up to date) */
  built: boolean
  /** why it could not be built */
  error?: string
}

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0
  const stat = statSync(path)
  if (!stat.isDirectory()) return stat.mtimeMs
  let newest = stat.mtimeMs
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)))
  return newest
}

export function rendererIsStale(): boolean {
  if (!existsSync(RENDERER_INDEX)) return true
  const built = statSync(RENDERER_INDEX).mtimeMs
  return SOURCES.some(source => newestMtime(source) > built)
}

export async function ensureRendererBuilt(): Promise<RendererBuild> {
  if (!rendererIsStale()) return { ok: true, built: false }
  try {
    await promisify(execFile)('npx', ['electron-vite', 'build'], { cwd: ROOT, maxBuffer: 16 * 1024 * 1024, timeout: 300_000 })
  } catch (err) {
    const e = err as { stderr?: string; stdout?: string; message: string }
    const output = `${e.stderr ?? ''}\n${e.stdout ?? ''}`.trim().split('\n').slice(-15).join('\n')
    return { ok: false, built: false, error: `\`npx electron-vite build\` failed: ${e.message.split('\n')[0]}\n${output}` }
  }
  if (!existsSync(RENDERER_INDEX)) return { ok: false, built: true, error: `\`npx electron-vite build\` ran but wrote no ${RENDERER_INDEX}` }
  return { ok: true, built: true }
}
