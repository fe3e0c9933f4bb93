/** A wuzapi client for the dialect's suites: requests to `/wuzapi/…` with the `Token` header, and answer checks. */
import { expect } from 'vitest'
import { type Answer, type ApiFixture, type CallOptions } from '../../api-fixture.js'

export interface WuzapiCall extends Omit<CallOptions, 'token'> {
  /** sent as the `Token` header */
  token?: string
}

/** `call('POST', '/chat/send/text', {token, body})` against the API's `/wuzapi` prefix. */
export function wuzapiClient(api: ApiFixture) {
  return (method: string, path: string, options: WuzapiCall = {}): Promise<Answer> => {
    const { token, ...rest } = options
    return api.call(method, `/wuzapi${path}`, { ...rest, headers: { ...(token !== undefined ? { token } : {}), ...rest.headers } })
  }
}

/** A wuzapi success envelope with this status; returns its `data`. */
export function expectData(answer: Answer, status = 200): any {
  expect({ status: answer.status, code: answer.body?.code, success: answer.body?.success, error: answer.body?.error }).toEqual({ status, code: status, success: true, error: undefined })
  expect(Object.keys(answer.body).sort()).toEqual(['code', 'data', 'success'])
  return answer.body.data
}

/** A wuzapi error envelope, exactly. */
export function expectWuzapiError(answer: Answer, status: number, error: string | RegExp): void {
  expect({ status: answer.status, body: answer.body }).toEqual({
    status, body: { code: status, error: error instanceof RegExp ? expect.stringMatching(error) : error, success: false }
  })
}

export const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/
