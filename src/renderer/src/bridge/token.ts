/**
 * The admin token of the web UI: taken from the address's fragment (`#token=…`, which never reaches a server or a
 * log), then removed from the address bar and kept in sessionStorage for reloads of this tab only.
 */
const STORAGE_KEY = 'wadock.adminToken'

export interface TokenPlace {
  location: Pick<Location, 'hash' | 'pathname' | 'search'>
  history: Pick<History, 'replaceState'>
  storage: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>
}

/** The token from the fragment (which is then cleared) or from sessionStorage; null when there is none. */
export function takeToken(place: TokenPlace): string | null {
  const params = new URLSearchParams(place.location.hash.replace(/^#/, ''))
  const fromHash = params.get('token')
  if (fromHash) {
    params.delete('token')
    const rest = params.toString()
    place.history.replaceState(null, '', `${place.location.pathname}${place.location.search}${rest ? `#${rest}` : ''}`)
    place.storage.setItem(STORAGE_KEY, fromHash)
    return fromHash
  }
  return place.storage.getItem(STORAGE_KEY)
}

export function saveToken(place: Pick<TokenPlace, 'storage'>, token: string): void {
  place.storage.setItem(STORAGE_KEY, token)
}

export function forgetToken(place: Pick<TokenPlace, 'storage'>): void {
  place.storage.removeItem(STORAGE_KEY)
}
