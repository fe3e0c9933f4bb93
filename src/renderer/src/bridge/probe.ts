/**
 * Why a web bridge connection was refused: a browser does not reveal a WebSocket upgrade's HTTP status, so ask
 * the same server whether it is up; if it is, it refused the token.
 */
export async function refusalReason(fetchImpl: typeof fetch = fetch): Promise<string> {
  try {
    const answer = await fetchImpl('/health', { cache: 'no-store' })
    if (answer.ok) return 'WaDock did not accept this admin token. Check it and sign in again.'
  } catch {
    // nothing answers: fall through
  }
  return 'WaDock is not reachable at this address, or did not accept this admin token.'
}
