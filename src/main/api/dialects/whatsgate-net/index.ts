/**
 * The WhatsGate.net dialect, seed 002: `/whatsgate-net/api/…` with the admin token in `Access-Token`; devices are
 * addressed by phone number (devices.ts). Answers `{success, message}` (plus `qrCode` or `data`), errors
 * `{success: false, message}` with 401, 404, 409, 422 or 500.
 */
import express, { type ErrorRequestHandler, type RequestHandler, Router } from 'express'
import QRCode from 'qrcode'
import { z } from 'zod'
import { parseAddress } from '../../../../shared/operations.js'
import { ConflictError, NotFoundError, OperationError, ValidationError } from '../../../errors.js'
import { createOperations } from '../../../operations/index.js'
import { isAdminToken } from '../common/index.js'
import { waitForQr } from '../common/wait.js'
import type { DialectDeps } from '../index.js'
import { deviceStatus, sessionOfDevice } from './devices.js'

class NetError extends Error {
  constructor(readonly status: 401 | 404 | 409 | 422, message: string) {
    super(message)
  }
}

const TEXT_LIMIT = 4000

const phone = z.union([z.string(), z.number()]).transform(String)
  .pipe(z.string().trim().min(1, 'is required').refine(v => !!parseAddress(v), 'must be a phone number or a group id'))
const coordinate = (min: number, max: number) => z.union([z.number(), z.string().trim().min(1).transform(Number)]).pipe(z.number().min(min).max(max))
const senderDevice = z.union([z.string(), z.number()], { message: 'The sender device field is required.' }).transform(String)

const schemas = {
  delete: z.object({ sender_device: senderDevice }),
  text: z.object({ sender_device: senderDevice, phone, message: z.string().min(1, 'is required').max(TEXT_LIMIT, `may not be greater than ${TEXT_LIMIT} characters`) }),
  image: z.object({ sender_device: senderDevice, phone, media: z.string().min(1, 'is required'), caption: z.string().max(TEXT_LIMIT).optional() }),
  location: z.object({
    sender_device: senderDevice, phone, latitude: coordinate(-90, 90), longitude: coordinate(-180, 180),
    name: z.string().max(1024).optional(), address: z.string().max(1024).optional()
  })
}

function validationMessage(error: z.ZodError): string {
  return error.issues.map(i => {
    const field = i.path.join('.')
    return i.message.startsWith('The ') || !field ? i.message : `${field}: ${i.message}`
  }).join('; ')
}

function parse<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  const parsed = schema.safeParse(body ?? {})
  if (!parsed.success) throw new NetError(422, validationMessage(parsed.error))
  return parsed.data
}

export function createWhatsgateNetRouter(deps: DialectDeps): Router {
  const { host } = deps
  const ops = createOperations(host)
  const logger = host.logger.child({ component: 'api', dialect: 'whatsgate-net' })
  const router = Router({ caseSensitive: true })

  const auth: RequestHandler = (req, _res, next) => {
    if (!isAdminToken(req.get('access-token'), deps.adminToken())) throw new NetError(401, 'Unauthenticated.')
    next()
  }
  router.use(auth)
  // bodies only after the token checked out
  router.use(express.json({ limit: deps.bodyLimit, strict: true }), express.urlencoded({ limit: deps.bodyLimit, extended: false }))

  /** The device of a path parameter (404 "device not found!"). */
  const deviceParam = (device: string) => {
    const id = sessionOfDevice(host, device)
    if (!id) throw new NetError(404, 'device not found!')
    return id
  }
  /** The device of a body's `sender_device` (422, as the product validates it). */
  const senderOf = (device: string) => {
    const id = sessionOfDevice(host, device)
    if (!id) throw new NetError(422, 'The selected sender device is invalid.')
    return id
  }

  router.get('/api/connect/:device', async (req, res) => {
    const id = deviceParam(req.params.device)
    const session = host.sessions.get(id)
    if (session.isLinked()) {
      // a linked device that dropped its connection comes back on its own credentials: no QR to show
      if (session.status === 'disconnected') host.sessions.connect(id)
      throw new NetError(409, 'device is already connected')
    }
    host.sessions.connect(id)
    const qr = await waitForQr(host, id)
    res.json({ success: true, qrCode: await QRCode.toDataURL(qr, { margin: 2 }) })
  })

  router.get('/api/status/:device', (req, res) => {
    res.json({ success: true, message: deviceStatus(host, deviceParam(req.params.device)) })
  })

  router.post('/api/delete', async (req, res) => {
    const body = parse(schemas.delete, req.body)
    await host.sessions.delete(senderOf(body.sender_device))
    res.json({ success: true, message: 'Device deleted successfully' })
  })

  const sent = (id: string) => ({ success: true, message: 'Message sent successfully', data: { id } })

  router.post('/api/send/text', async (req, res) => {
    const body = parse(schemas.text, req.body)
    const result = await ops.messages.sendText(senderOf(body.sender_device), { to: body.phone, text: body.message })
    res.json(sent(result.id))
  })

  router.post('/api/send/image', async (req, res) => {
    const body = parse(schemas.image, req.body)
    const result = await ops.messages.sendImage(senderOf(body.sender_device), { to: body.phone, image: body.media, caption: body.caption })
    res.json(sent(result.id))
  })

  router.post('/api/send/location', async (req, res) => {
    const body = parse(schemas.location, req.body)
    const result = await ops.messages.sendLocation(senderOf(body.sender_device), {
      to: body.phone, latitude: body.latitude, longitude: body.longitude, name: body.name, address: body.address
    })
    res.json(sent(result.id))
  })

  router.use((req, _res) => {
    throw new NetError(404, `no route ${req.method} ${req.path}`)
  })

  const onError: ErrorRequestHandler = (err, req, res, _next) => {
    const type = (err as { type?: string }).type
    const [status, message] = err instanceof NetError ? [err.status, err.message]
      : err instanceof ValidationError ? [422, err.message]
        : err instanceof NotFoundError ? [404, err.message]
          : err instanceof ConflictError ? [409, err.message]
            : err instanceof OperationError ? [422, err.message]
              : type === 'entity.parse.failed' ? [400, 'the request body is not valid JSON']
                : type === 'entity.too.large' ? [413, 'the request body is too large']
                  : [500, 'Server Error']
    if (status === 500) logger.error({ err, path: req.path }, 'request failed')
    if (res.headersSent) {
      res.destroy()
      return
    }
    res.status(status).json({ success: false, message })
  }
  router.use(onError)
  return router
}
