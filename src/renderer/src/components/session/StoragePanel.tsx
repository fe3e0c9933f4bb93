/** Storage statistics: bytes per folder as a chart, totals, contacts and chats, traffic. */
import { formatBytes } from '../../lib/format.js'
import { useStorage } from '../../stores/storage.js'
import { Spinner } from '../EmptyState.js'
import { StorageChart } from '../StorageChart.js'

export function StoragePanel({ sessionId }: { sessionId: string }) {
  const stats = useStorage(s => s.byId[sessionId])
  return (
    <section className="card" aria-labelledby="storage-title" data-testid="storage-panel" data-loaded={stats ? 'true' : 'false'}>
      <h3 id="storage-title">Storage</h3>
      {!stats ? <Spinner label="Reading storage…" /> : (
        <>
          <div className="stat-grid stat-grid-storage">
            <Stat label="Total" value={formatBytes(stats.bytes)} detail={`${stats.files} files`} testId="storage-total" raw={stats.bytes} />
            <Stat label="Contacts" value={String(stats.contacts)} testId="storage-contacts" raw={stats.contacts} />
            <Stat label="Chats" value={String(stats.chats)} testId="storage-chats" raw={stats.chats} />
            <Stat label="Sent" value={formatBytes(stats.bytesSent)} testId="bytes-sent" raw={stats.bytesSent} />
            <Stat label="Received" value={formatBytes(stats.bytesReceived)} testId="bytes-received" raw={stats.bytesReceived} />
          </div>
          <StorageChart folders={stats.subs} />
        </>
      )}
    </section>
  )
}

function Stat({ label, value, detail, testId, raw }: { label: string; value: string; detail?: string; testId: string; raw: number }) {
  return (
    <div className="stat" data-testid={testId} data-value={raw}>
      <span className="stat-label">{label}</span>
      <span className="stat-value">{value}</span>
      {detail && <span className="stat-detail">{detail}</span>}
    </div>
  )
}
