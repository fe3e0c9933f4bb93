/**
 * electron-vite builds the three parts into out/: main (ESM, as Baileys is ESM-only; dependencies stay external and
 * are packed from node_modules; two entries sharing the host's code: index.js, the desktop app, and headless.js,
 * what `npm run serve` runs), preload (CommonJS with everything bundled: a sandboxed preload can require
 * nothing but 'electron'), and the renderer (React, from src/renderer; headless mode serves the same build at /app/).
 */
import { resolve } from 'node:path'
import react from '@vitejs/plugin-react'
import { defineConfig } from 'electron-vite'

const root = import.meta.dirname

export default defineConfig({
  main: {
    build: {
      outDir: resolve(root, 'out/main'),
      rollupOptions: {
        input: { index: resolve(root, 'src/main/index.ts'), headless: resolve(root, 'src/main/headless.ts') }
      }
    }
  },
  preload: {
    build: {
      outDir: resolve(root, 'out/preload'),
      externalizeDeps: false,
      rollupOptions: {
        input: { index: resolve(root, 'src/preload/index.ts') },
        external: ['electron'],
        output: { format: 'cjs', entryFileNames: '[name].cjs' }
      }
    }
  },
  renderer: {
    root: resolve(root, 'src/renderer'),
    // relative asset URLs: the same build loads from the desktop app's wadock:// pages and from /app/ in a browser
    base: './',
    plugins: [react()],
    build: {
      outDir: resolve(root, 'out/renderer'),
      // served over HTTP in headless mode: a third of the size
      minify: true,
      rollupOptions: {
        input: { index: resolve(root, 'src/renderer/index.html') }
      }
    }
  }
})
