/**
 * Builds the renderer once per run, before the browser suites that load it. Runs only when the run may include
 * them (no file filter, or a filter naming test/e2e); a failure does not stop other suites: the browser suites read
 * the outcome (`inject('rendererBuild')`) and fail with its message.
 */
import type { TestProject } from 'vitest/node'
import { ensureRendererBuilt, type RendererBuild } from './renderer-build.js'

declare module 'vitest' {
  export interface ProvidedContext {
    rendererBuild: RendererBuild | null
  }
}

function runMayIncludeBrowserSuites(argv: string[]): boolean {
  const command = argv.findIndex(a => a === 'run' || a === 'watch' || a === 'related')
  const filters = argv.slice(command >= 0 ? command + 1 : 2).filter(a => !a.startsWith('-'))
  return filters.length === 0 || filters.some(f => /e2e|web-ui|electron/.test(f))
}

export default async function setup(project: TestProject) {
  if (!runMayIncludeBrowserSuites(process.argv)) {
    project.provide('rendererBuild', null)
    return
  }
  project.provide('rendererBuild', await ensureRendererBuilt())
}
