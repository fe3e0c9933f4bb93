/** Seconds left until `until`, ticking once a second. */
import { useEffect, useState } from 'react'

export function Countdown({ until, testId }: { until: number; testId?: string }) {
  const [now, setNow] = useState(() => Date.now())
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000)
    return () => clearInterval(timer)
  }, [until])
  const seconds = Math.max(0, Math.ceil((until - now) / 1000))
  return (
    <span className="countdown" data-testid={testId} data-seconds={seconds} aria-live="off">
      {seconds > 0 ? `expires in ${seconds} s` : 'a new code is on its way'}
    </span>
  )
}
