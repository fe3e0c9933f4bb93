/**
 * Finds the route of a request path in one walk over its segments, however many routes there are: a tree of path
 * segments where a literal segment wins over a `{param}` one. It replaces a router that tries each route's regular
 * expression in turn. Matching follows what the API has always answered: case-sensitive, one trailing slash
 * ignored, literal segments compared as sent (still percent-encoded), parameters percent-decoded.
 */
import { ApiError } from './errors.js'

export type RouteMatch<T> =
  /** a route for this path and method; HEAD finds the GET route */
  | { kind: 'route'; route: T; template: string; params: Record<string, string> }
  /** routes for this path, none for this method (HEAD is listed wherever GET is) */
  | { kind: 'method'; template: string; allow: string[] }

interface Node<T> {
  literal: Map<string, Node<T>>
  param?: { name: string; node: Node<T> }
  /** the routes ending here, by upper-case method */
  routes?: Map<string, T>
  template?: string
}

const newNode = <T>(): Node<T> => ({ literal: new Map() })
const PARAM = /^\{([A-Za-z_][A-Za-z0-9_]*)\}$/

export class RouteTable<T> {
  private readonly root: Node<T> = newNode()

  /** `template` like `/api/v1/sessions/{session_id}`; one route per method and template */
  add(method: string, template: string, route: T): void {
    let node = this.root
    for (const segment of template.split('/').slice(1)) {
      const param = PARAM.exec(segment)
      if (param) {
        if (node.param && node.param.name !== param[1]) throw new Error(`${template}: {${param[1]}} where another route has {${node.param.name}}`)
        node.param ??= { name: param[1], node: newNode() }
        node = node.param.node
      } else {
        let next = node.literal.get(segment)
        if (!next) node.literal.set(segment, (next = newNode()))
        node = next
      }
    }
    node.routes ??= new Map()
    node.template = template
    if (node.routes.has(method.toUpperCase())) throw new Error(`${method.toUpperCase()} ${template} is there already`)
    node.routes.set(method.toUpperCase(), route)
  }

  /** The route for `method` and `path` (the URL's path, without its query); undefined when no template matches. */
  match(method: string, path: string): RouteMatch<T> | undefined {
    const segments = path.split('/').slice(1)
    if (segments.length > 1 && segments[segments.length - 1] === '') segments.pop()
    let first: Node<T> | undefined
    for (const { node, params: raw } of this.candidates(this.root, segments, 0, [])) {
      first ??= node
      const route = node.routes!.get(method) ?? (method === 'HEAD' ? node.routes!.get('GET') : undefined)
      if (route === undefined) continue
      const params: Record<string, string> = {}
      for (const [name, value] of raw) {
        try {
          params[name] = decodeURIComponent(value)
        } catch {
          throw new ApiError('bad_request', `the path's ${name} is not valid percent-encoding`)
        }
      }
      return { kind: 'route', route, template: node.template!, params }
    }
    if (!first) return undefined
    const allow = [...first.routes!.keys()]
    return { kind: 'method', template: first.template!, allow: allow.includes('GET') ? [...allow, 'HEAD'] : allow }
  }

  /** Every node with routes that the path reaches, literal segments before parameters. */
  private *candidates(node: Node<T>, segments: string[], index: number, params: [string, string][]): Generator<{ node: Node<T>; params: [string, string][] }> {
    if (index === segments.length) {
      if (node.routes) yield { node, params: [...params] }
      return
    }
    const segment = segments[index]
    const literal = node.literal.get(segment)
    if (literal) yield* this.candidates(literal, segments, index + 1, params)
    if (node.param && segment !== '') {
      params.push([node.param.name, segment])
      yield* this.candidates(node.param.node, segments, index + 1, params)
      params.pop()
    }
  }
}
