/** App settings: the REST API (on/off, port), the admin token (shown, rotatable), start at login, close to tray. */
import { type FormEvent, useEffect, useState } from 'react'
import { settingsPatchSchema, type SettingsPatch } from '../../../shared/settings.js'
import { CopyField } from '../components/CopyField.js'
import { ErrorNote, Spinner } from '../components/EmptyState.js'
import { ConfirmButton } from '../components/ConfirmButton.js'
import { useHost } from '../lib/context.js'
import { useAction } from '../lib/use-action.js'
import { useApp } from '../stores/app.js'

export function SettingsPage() {
  const { bridge, adoptToken } = useHost()
  const settings = useApp(s => s.settings)
  const info = useApp(s => s.info)
  const [enabled, setEnabled] = useState(true)
  const [port, setPort] = useState('')
  const [startAtLogin, setStartAtLogin] = useState(false)
  const [closeToTray, setCloseToTray] = useState(true)
  const [saved, setSaved] = useState(false)
  useEffect(() => {
    if (!settings) return
    setEnabled(settings.rest.enabled)
    setPort(String(settings.rest.port))
    setStartAtLogin(settings.startAtLogin)
    setCloseToTray(settings.closeToTray)
  }, [settings])
  const save = useAction(async (patch: SettingsPatch) => {
    useApp.setState({ settings: await bridge.updateSettings(patch) })
    useApp.setState({ info: await bridge.appInfo() })
    setSaved(true)
  })
  const rotate = useAction(async () => {
    const { adminToken } = await bridge.rotateAdminToken()
    // this page's own connection used the old token: continue with the new one
    if (adoptToken) adoptToken(adminToken)
    else useApp.setState({ settings: await bridge.getSettings() })
  })

  if (!settings) return <Spinner label="Loading settings…" />
  const submit = (event: FormEvent) => {
    event.preventDefault()
    setSaved(false)
    const parsed = settingsPatchSchema.safeParse({ rest: { enabled, port: Number(port) }, startAtLogin, closeToTray })
    if (!parsed.success) {
      save.setError(parsed.error.issues.map(i => `${i.path.join('.') === 'rest.port' ? 'Port' : i.path.join('.')}: ${i.message}`).join('; '))
      return
    }
    void save.call(parsed.data)
  }
  const desktop = info?.shell === 'electron'

  return (
    <article className="page" data-testid="settings-page" aria-labelledby="settings-title">
      <header className="page-header"><h2 id="settings-title">Settings</h2></header>
      <div className="page-grid">
        <section className="card" aria-labelledby="rest-title">
          <h3 id="rest-title">REST API</h3>
          <form className="form" onSubmit={submit}>
            <label className="check"><input type="checkbox" data-testid="settings-rest-enabled" checked={enabled} onChange={e => setEnabled(e.target.checked)} /> Serve the REST API on this computer</label>
            <label>Port<input data-testid="settings-port" value={port} onChange={e => setPort(e.target.value)} inputMode="numeric" /></label>
            <p className="muted">Listening on {info?.apiUrl ?? 'nothing (off)'}; bound to {settings.rest.host}.</p>
            <fieldset disabled={!desktop} className="plain">
              <label className="check"><input type="checkbox" data-testid="settings-start-at-login" checked={startAtLogin} onChange={e => setStartAtLogin(e.target.checked)} /> Start WaDock when I log in</label>
              <label className="check"><input type="checkbox" data-testid="settings-close-to-tray" checked={closeToTray} onChange={e => setCloseToTray(e.target.checked)} /> Keep running in the tray when the window closes</label>
              {!desktop && <p className="muted">These apply to the desktop app.</p>}
            </fieldset>
            <div className="form-actions">
              <button type="submit" className="button primary" data-testid="settings-save" disabled={save.busy}>Save</button>
              {saved && !save.error && <span className="muted" role="status" data-testid="settings-saved">Saved</span>}
            </div>
            <ErrorNote message={save.error} testId="settings-error" />
          </form>
        </section>
        <section className="card" aria-labelledby="token-title">
          <h3 id="token-title">Admin token</h3>
          <p className="muted">Reaches every session through the REST API and this web UI. Keep it secret.</p>
          {settings.adminToken ? <CopyField label="Admin token" value={settings.adminToken} secret testId="settings-admin-token" /> : <p>None yet.</p>}
          <ConfirmButton
            label="Rotate admin token" testId="settings-rotate-token"
            question="Rotate the admin token?" confirmLabel="Rotate"
            detail="Scripts and browsers using the current token lose access until they use the new one."
            onConfirm={() => void rotate.call()}
          />
          <ErrorNote message={rotate.error} />
        </section>
        {info && (
          <section className="card" aria-labelledby="about-title">
            <h3 id="about-title">About</h3>
            <dl className="facts">
              <dt>Version</dt><dd>{info.version}</dd>
              <dt>Mode</dt><dd>{info.shell === 'electron' ? 'Desktop app' : 'Headless (web UI)'}{info.sandbox ? ', sandbox' : ''}</dd>
              <dt>Data folder</dt><dd><code>{info.dataDir}</code></dd>
            </dl>
          </section>
        )}
      </div>
    </article>
  )
}
