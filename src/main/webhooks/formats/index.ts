/** The payload formats by name: the `format` of a session's webhook settings. */
import type { WebhookFormat } from '../../../shared/domain.js'
import { nativeFormat } from './native.js'
import type { PayloadFormat } from './types.js'
import { whatsgateFormat } from './whatsgate.js'
import { witimeFormat } from './witime.js'
import { wuzapiFormat } from './wuzapi.js'

export const PAYLOAD_FORMATS: Record<WebhookFormat, PayloadFormat> = {
  native: nativeFormat,
  wuzapi: wuzapiFormat,
  whatsgate: whatsgateFormat,
  witime: witimeFormat
}

export type { PayloadFormat, RenderedRequest, RenderSession } from './types.js'
