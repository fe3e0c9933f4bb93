/**
 * Making a Baileys client trust the simulator. The simulator signs its Noise certificates with its own root key
 * and serves media over HTTPS with its own CA; a client must opt in to both, and WaDock does so only when it is
 * explicitly pointed at a simulator.
 */
import { WA_CERT_DETAILS } from '@whiskeysockets/baileys'
import { trustingAgents } from './media-server.js'
import { SIM_ROOT_PUBLIC_KEY_HEX } from './root-key.js'

/**
 * Makes every Baileys socket in this process accept Noise certificates signed by `rootPublicKeyHex`.
 * Baileys reads `WA_CERT_DETAILS.PUBLIC_KEY` at handshake time from the same module instance, so this must
 * run in the process (and against the same Baileys copy) that opens the sockets.
 */
export function trustSimulatorRoot(rootPublicKeyHex: string = SIM_ROOT_PUBLIC_KEY_HEX): void {
  const key = Buffer.from(rootPublicKeyHex, 'hex')
  if (key.length !== 32) throw new Error('the simulator root public key is 32 bytes, hex-encoded')
  WA_CERT_DETAILS.PUBLIC_KEY = key
}

/** Socket options that point one Baileys client at a simulator: its URL and agents that trust its media CA. */
export function simulatorSocketOptions(info: { wsUrl: string; caPem: string; rootPublicKey: string }) {
  trustSimulatorRoot(info.rootPublicKey)
  const { httpsAgent, dispatcher } = trustingAgents(info.caPem)
  return {
    waWebSocketUrl: info.wsUrl,
    fetchAgent: httpsAgent,
    /** pass as `{ options: { dispatcher } }` to downloadMediaMessage / downloadContentFromMessage */
    mediaDispatcher: dispatcher
  }
}
