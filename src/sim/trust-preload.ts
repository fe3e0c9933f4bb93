/**
 * For a Baileys process separate from the simulator: `node --import ./src/sim/trust-preload.ts app.js` with
 * `WA_SIM_ROOT_PUB=<hex>` (from `/control/info`) and `NODE_EXTRA_CA_CERTS=<file with caPem>` for media.
 */
import { trustSimulatorRoot } from './trust.js'

trustSimulatorRoot(process.env.WA_SIM_ROOT_PUB || undefined)
