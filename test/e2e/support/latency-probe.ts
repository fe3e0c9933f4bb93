/**
 * Measures, inside the page, how long a session's status takes from the bridge frame that carries it to the
 * session list's DOM: the page's WebSocket is wrapped to timestamp status frames as they arrive, and a
 * MutationObserver timestamps each row's `data-status` change (and the next animation frame, when it is painted).
 */
import type { Page } from 'playwright-core'

declare global {
  interface Window {
    __latency?: {
      frames: { id: string; status: string; t: number }[]
      rows: { id: string; status: string; t: number; paint: number }[]
      recording: boolean
    }
  }
}

/** Installs the probe; call before the page loads. */
export async function installLatencyProbe(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const probe = { frames: [] as { id: string; status: string; t: number }[], rows: [] as { id: string; status: string; t: number; paint: number }[], recording: false }
    window.__latency = probe
    const Native = window.WebSocket
    window.WebSocket = class extends Native {
      constructor(url: string | URL, protocols?: string | string[]) {
        super(url, protocols)
        // added before the app's own listener, so it runs first
        this.addEventListener('message', (message: MessageEvent) => {
          if (!probe.recording || typeof message.data !== 'string' || !message.data.includes('"status"')) return
          const t = performance.now()
          try {
            const parsed = JSON.parse(message.data) as { event?: { type: string; sessionId: string; status: string } }
            if (parsed.event?.type === 'status') probe.frames.push({ id: parsed.event.sessionId, status: parsed.event.status, t })
          } catch {
            // not JSON: not ours to judge
          }
        })
      }
    }
    new MutationObserver(mutations => {
      if (!probe.recording) return
      const t = performance.now()
      for (const m of mutations) {
        const el = m.target as HTMLElement
        const testId = el.getAttribute('data-testid') ?? ''
        if (!testId.startsWith('session-row-')) continue
        const row = { id: testId.slice('session-row-'.length), status: el.getAttribute('data-status') ?? '', t, paint: t }
        probe.rows.push(row)
        requestAnimationFrame(() => { row.paint = performance.now() })
      }
    }).observe(document, { subtree: true, attributes: true, attributeFilter: ['data-status'] })
  })
}

export async function startRecording(page: Page): Promise<void> {
  await page.evaluate(() => {
    window.__latency!.frames.length = 0
    window.__latency!.rows.length = 0
    window.__latency!.recording = true
  })
}

export interface LatencySample { id: string; status: string; domMs: number; paintMs: number }

/** Pairs each status frame with the first row change to that status after it. */
export async function latencySamples(page: Page): Promise<LatencySample[]> {
  return page.evaluate(() => {
    const { frames, rows } = window.__latency!
    const samples: { id: string; status: string; domMs: number; paintMs: number }[] = []
    for (const f of frames) {
      const row = rows.find(r => r.id === f.id && r.status === f.status && r.t >= f.t)
      if (row) samples.push({ id: f.id, status: f.status, domMs: row.t - f.t, paintMs: row.paint - f.t })
    }
    return samples
  })
}

export function summarize(values: number[]): { n: number; median: number; p95: number; max: number } {
  const sorted = [...values].sort((a, b) => a - b)
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN
  const round = (v: number) => Math.round(v * 10) / 10
  return { n: sorted.length, median: round(at(0.5)), p95: round(at(0.95)), max: round(sorted.at(-1) ?? NaN) }
}
