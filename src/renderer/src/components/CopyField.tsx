/** Text to copy: shown in a read-only field, with a button that copies it. */
import { useEffect, useState } from 'react'

/** `display`: what to show instead of the value (a command with its token shortened); the copy is the value. */
export function CopyField({ label, value, display, multiline, testId, secret }: { label: string; value: string; display?: string; multiline?: boolean; testId?: string; secret?: boolean }) {
  const [copied, setCopied] = useState(false)
  const [revealed, setRevealed] = useState(!secret)
  useEffect(() => {
    if (!copied) return
    const timer = setTimeout(() => setCopied(false), 1500)
    return () => clearTimeout(timer)
  }, [copied])
  const copy = () => {
    navigator.clipboard?.writeText(value).then(() => setCopied(true), () => setCopied(false))
  }
  const shown = revealed ? (display ?? value) : '•'.repeat(Math.min(24, value.length))
  return (
    <div className="copy-field">
      <span className="copy-label">{label}</span>
      <div className="copy-row">
        {multiline
          ? <pre className="copy-value" data-testid={testId} data-value={value}>{shown}</pre>
          : <code className="copy-value" data-testid={testId} data-value={value}>{shown}</code>}
        {secret && (
          <button type="button" className="button small" aria-pressed={revealed} onClick={() => setRevealed(r => !r)}>
            {revealed ? 'Hide' : 'Show'}
          </button>
        )}
        <button type="button" className="button small" onClick={copy} aria-label={`Copy ${label}`}>{copied ? 'Copied' : 'Copy'}</button>
      </div>
    </div>
  )
}
