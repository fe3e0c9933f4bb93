import type { ReactNode } from 'react'

export function EmptyState({ title, children, testId }: { title: string; children?: ReactNode; testId?: string }) {
  return (
    <div className="empty" data-testid={testId}>
      <h3>{title}</h3>
      {children}
    </div>
  )
}

export function Spinner({ label }: { label: string }) {
  return <div className="spinner" role="status" aria-live="polite"><span className="spinner-ring" aria-hidden="true" />{label}</div>
}

export function ErrorNote({ message, testId }: { message: string | null; testId?: string }) {
  if (!message) return null
  return <p className="error-note" role="alert" data-testid={testId}>{message}</p>
}
