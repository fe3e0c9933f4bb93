/** Bytes per folder as horizontal bars, drawn in SVG, scaled to the largest folder. */
import type { StorageFolderStats } from '../../../shared/domain.js'
import { formatBytes } from '../lib/format.js'

const FOLDER_LABELS: Record<StorageFolderStats['name'], string> = { media: 'Media', profile: 'Profile pictures', thumb: 'Thumbnails' }
const ROW = 34
const LABEL_WIDTH = 130
const WIDTH = 460

export function StorageChart({ folders }: { folders: StorageFolderStats[] }) {
  const max = Math.max(1, ...folders.map(f => f.bytes))
  const barSpace = WIDTH - LABEL_WIDTH - 110
  return (
    <svg className="chart" viewBox={`0 0 ${WIDTH} ${folders.length * ROW}`} role="img" aria-label="Storage per folder" data-testid="storage-chart">
      {folders.map((f, i) => {
        const width = f.bytes === 0 ? 0 : Math.max(2, (f.bytes / max) * barSpace)
        const y = i * ROW
        return (
          <g key={f.name} data-testid={`storage-bar-${f.name}`} data-bytes={f.bytes} data-files={f.files}>
            <text className="chart-label" x={0} y={y + 21}>{FOLDER_LABELS[f.name]}</text>
            <rect className="chart-track" x={LABEL_WIDTH} y={y + 8} width={barSpace} height={18} rx={4} />
            <rect className={`chart-bar chart-bar-${f.name}`} x={LABEL_WIDTH} y={y + 8} width={width} height={18} rx={4} />
            <text className="chart-value" x={LABEL_WIDTH + barSpace + 8} y={y + 21}>
              {formatBytes(f.bytes)} · {f.files} {f.files === 1 ? 'file' : 'files'}
            </text>
          </g>
        )
      })}
    </svg>
  )
}
