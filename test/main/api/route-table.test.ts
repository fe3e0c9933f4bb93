import { describe, expect, it } from 'vitest'
import { ApiError } from '../../../src/main/api/errors.js'
import { RouteTable } from '../../../src/main/api/route-table.js'

describe('RouteTable', () => {
  const table = new RouteTable<string>()
  table.add('get', '/api/v1/sessions', 'list')
  table.add('post', '/api/v1/sessions', 'create')
  table.add('get', '/api/v1/sessions/{session_id}', 'get')
  table.add('delete', '/api/v1/sessions/{session_id}', 'delete')
  table.add('post', '/api/v1/sessions/{session_id}/messages/text', 'text')
  table.add('get', '/api/v1/sessions/{session_id}/messages/{message_id}/media', 'media')
  table.add('get', '/api/v1/openapi.json', 'openapi')
  table.add('post', '/api/v1/sessions/special', 'special')

  it('finds routes with their decoded parameters, one trailing slash ignored', () => {
    expect(table.match('POST', '/api/v1/sessions/alpha/messages/text')).toEqual({ kind: 'route', route: 'text', template: '/api/v1/sessions/{session_id}/messages/text', params: { session_id: 'alpha' } })
    expect(table.match('GET', '/api/v1/sessions/')).toMatchObject({ kind: 'route', route: 'list' })
    expect(table.match('GET', '/api/v1/sessions/a%20b/messages/3EB0%2F1/media')).toMatchObject({ params: { session_id: 'a b', message_id: '3EB0/1' } })
  })

  it('prefers a literal segment, and falls back to the parameter for a method only it has', () => {
    expect(table.match('POST', '/api/v1/sessions/special')).toMatchObject({ route: 'special', params: {} })
    expect(table.match('GET', '/api/v1/sessions/special')).toMatchObject({ route: 'get', params: { session_id: 'special' } })
  })

  it('tells a known path with another method (HEAD allowed wherever GET is) from an unknown path', () => {
    expect(table.match('PUT', '/api/v1/sessions/alpha')).toEqual({ kind: 'method', template: '/api/v1/sessions/{session_id}', allow: ['GET', 'DELETE', 'HEAD'] })
    expect(table.match('HEAD', '/api/v1/sessions/alpha')).toMatchObject({ kind: 'route', route: 'get' })
    for (const path of ['/api/v1/session', '/API/v1/sessions', '/api/v1/sessions//messages/text', '/api/v1/sessions/a/messages/text/x', '/', '']) {
      expect(table.match('GET', path), path).toBeUndefined()
    }
  })

  it('refuses a parameter that is not valid percent-encoding with a 400', () => {
    expect(() => table.match('GET', '/api/v1/sessions/%E0%A4%A')).toThrow(ApiError)
    expect(() => table.match('GET', '/api/v1/sessions/%zz')).toThrow(expect.objectContaining({ status: 400, code: 'bad_request' }))
  })

  it('refuses two routes for the same method and path, and two names for one parameter position', () => {
    expect(() => table.add('get', '/api/v1/sessions', 'again')).toThrow(/there already/)
    expect(() => table.add('get', '/api/v1/sessions/{id}/x', 'renamed')).toThrow(/another route/)
  })
})
