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
    const search: Search<T> = { method, segments, params: [], first: undefined }
    const found = find(this.root, search, 0)
    if (found) {
      const params: Record<string, string> = {}
      for (const [name, value] of search.params) {
        try {
          params[name] = decodeURIComponent(value)
        } catch {
          throw new ApiError('bad_request', `the path's ${name} is not valid percent-encoding`)
        }
      }
      return { kind: 'route', route: found.route, template: found.template, params }
    }
    const first = search.first
    if (!first) return undefined
    const allow = [...first.routes!.keys()]
    return { kind: 'method', template: first.template!, allow: allow.includes('GET') ? [...allow, 'HEAD'] : allow }
  }
}

interface Search<T> {
  method: string
  segments: string[]
  /** the parameters on the way to the node being tried */
  params: [string, string][]
  /** the first node with routes the path reached (for the routes it has for other methods) */
  first: Node<T> | undefined
}

/**
 * The route of `search.method` at the first node with one that the path reaches from `node`, literal segments tried
 * before parameters; `search.params` then holds the path's parameters. A plain depth-first walk: the request path
 * of every call goes through it.
 */
function find<T>(node: Node<T>, search: Search<T>, index: number): { route: T; template: string } | undefined {
  const { segments } = search
  if (index === segments.length) {
    if (!node.routes) return undefined
    search.first ??= node
    const route = node.routes.get(search.method) ?? (search.method === 'HEAD' ? node.routes.get('GET') : undefined)
    return route === undefined ? undefined : { route, template: node.template! }
  }
  const segment = segments[index]
  const literal = node.literal.get(segment)
  if (literal) {
    const found = find(literal, search, index + 1)
    if (found) return found
  }
  if (node.param && segment !== '') {
    search.params.push([node.param.name, segment])
    const found = find(node.param.node, search, index + 1)
    if (found) return found
    search.params.pop()
  }
  return undefined
}
