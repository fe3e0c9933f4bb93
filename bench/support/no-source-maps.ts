/**
 * Imported first by every benchmark. tsx maps stack traces back to the TypeScript sources, which makes every
 * captured stack costly (Baileys captures some on each frame it sends); the built app (electron-vite's output)
 * runs without source maps, and so do the benchmarks, for WaDock and raw Baileys alike.
 */
process.setSourceMapsEnabled(false)
