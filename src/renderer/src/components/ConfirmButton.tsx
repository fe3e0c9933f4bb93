/** A button for a destructive action: it asks first, in a modal that names what will happen. */
import { useState } from 'react'
import { Modal } from './Modal.js'

interface Props {
  label: string
  question: string
  detail: string
  confirmLabel: string
  onConfirm(): void
  disabled?: boolean
  testId: string
}

export function ConfirmButton({ label, question, detail, confirmLabel, onConfirm, disabled, testId }: Props) {
  const [open, setOpen] = useState(false)
  return (
    <>
      <button type="button" className="button danger" disabled={disabled} data-testid={testId} onClick={() => setOpen(true)}>
        {label}
      </button>
      {open && (
        <Modal title={question} onClose={() => setOpen(false)} testId="confirm-dialog">
          <p>{detail}</p>
          <div className="modal-actions">
            <button type="button" className="button" onClick={() => setOpen(false)} autoFocus>Cancel</button>
            <button type="button" className="button danger solid" data-testid="confirm-ok" onClick={() => { setOpen(false); onConfirm() }}>
              {confirmLabel}
            </button>
          </div>
        </Modal>
      )}
    </>
  )
}
