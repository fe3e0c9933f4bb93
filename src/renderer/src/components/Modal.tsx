/** A modal dialog on the native <dialog>: focus kept inside, Escape closes it. */
import { type ReactNode, useEffect, useRef } from 'react'

export function Modal({ title, onClose, children, testId }: { title: string; onClose(): void; children: ReactNode; testId?: string }) {
  const ref = useRef<HTMLDialogElement>(null)
  useEffect(() => {
    const dialog = ref.current
    if (dialog && !dialog.open) dialog.showModal()
    return () => { if (dialog?.open) dialog.close() }
  }, [])
  return (
    <dialog
      ref={ref}
      className="modal"
      aria-labelledby="modal-title"
      data-testid={testId}
      onCancel={event => { event.preventDefault(); onClose() }}
    >
      <h2 id="modal-title">{title}</h2>
      {children}
    </dialog>
  )
}
