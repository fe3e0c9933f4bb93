/** A QR string drawn locally (qrcode → data URL), redrawn when it rotates; nothing leaves the machine. */
import QRCode from 'qrcode'
import { useEffect, useState } from 'react'

export function QrCode({ value, size = 240 }: { value: string; size?: number }) {
  const [image, setImage] = useState<{ value: string; url: string } | null>(null)
  useEffect(() => {
    let current = true
    QRCode.toDataURL(value, { width: size, margin: 1, errorCorrectionLevel: 'M' })
      .then(url => { if (current) setImage({ value, url }) })
      .catch(() => { if (current) setImage(null) })
    return () => { current = false }
  }, [value, size])
  if (!image) return <div className="qr-placeholder" aria-busy="true" aria-label="Drawing the QR code" />
  return <img className="qr" src={image.url} width={size} height={size} alt="QR code to scan with WhatsApp" data-testid="qr-image" data-qr={image.value} />
}
