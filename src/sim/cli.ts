/** `npm run sim -- --port N [--host H] [--qr-ms MS]`: starts the simulator and prints its control info as one JSON line. */
import { parseArgs } from 'node:util'
import pino from 'pino'
import { startSimulator } from './simulator.js'

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    host: { type: 'string', default: '127.0.0.1' },
    'qr-ms': { type: 'string' },
    log: { type: 'string', default: 'warn' }
  }
})
const port = Number(values.port)
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error('--port must be a TCP port number')
  process.exit(2)
}
const qrMs = values['qr-ms'] ? Number(values['qr-ms']) : undefined
const sim = await startSimulator({
  port,
  host: values.host,
  logger: pino({ level: values.log }, pino.destination(2)),
  qrTiming: qrMs ? { firstMs: qrMs, nextMs: qrMs } : undefined
})
process.stdout.write(JSON.stringify(sim.info()) + '\n')
const stop = () => void sim.stop().then(() => process.exit(0))
process.once('SIGINT', stop)
process.once('SIGTERM', stop)
