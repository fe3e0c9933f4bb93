/** The WhatsApp simulator's public surface. */
export { startSimulator, Simulator, NotFoundError } from './simulator.js'
export type { SimulatorOptions, SimulatorInfo, AccountSummary, FaultAction } from './simulator.js'
export { trustSimulatorRoot, simulatorSocketOptions } from './trust.js'
export { SIM_ROOT_PUBLIC_KEY_HEX } from './root-key.js'
export type { PhoneMessage } from './virtual-phone.js'
