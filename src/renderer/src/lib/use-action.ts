/** A button's call to the host: busy while it runs, its error kept to show next to it. */
import { useCallback, useEffect, useRef, useState } from 'react'

export function useAction<A extends unknown[], T>(run: (...args: A) => Promise<T>) {
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const mounted = useRef(true)
  useEffect(() => {
    mounted.current = true
    return () => { mounted.current = false }
  }, [])
  const call = useCallback(async (...args: A): Promise<T | undefined> => {
    setBusy(true)
    setError(null)
    try {
      return await run(...args)
    } catch (err) {
      if (mounted.current) setError(err instanceof Error ? err.message : String(err))
      return undefined
    } finally {
      if (mounted.current) setBusy(false)
    }
  }, [run])
  return { call, busy, error, setError }
}
