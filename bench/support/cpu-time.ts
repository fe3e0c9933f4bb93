/**
 * CPU time used so far (user + system, in ms) by a process or one of its threads, from Linux's /proc; undefined
 * where there is no /proc. Throughput on a small machine also depends on what else runs; CPU time per message says
 * what each side costs by itself.
 */
import { readFileSync } from 'node:fs'

const TICKS_PER_SECOND = 100 // USER_HZ: 100 on every Linux architecture Node runs on

export function cpuMs(pid: number, tid?: number): number | undefined {
  try {
    const stat = readFileSync(tid === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${tid}/stat`, 'utf8')
    // fields after the command name (which may contain spaces) in parentheses: utime and stime are the 12th and 13th
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND
  } catch {
    return undefined
  }
}

/** CPU ms used by each of `sources` while `work` runs. */
export async function measureCpu<T, K extends string>(sources: Record<K, () => number | undefined>, work: () => Promise<T>): Promise<{ result: T; cpuMs: Record<K, number | undefined> }> {
  const before = Object.fromEntries(Object.entries<() => number | undefined>(sources).map(([k, read]) => [k, read()]))
  const result = await work()
  const cpu = Object.fromEntries(Object.entries<() => number | undefined>(sources).map(([k, read]) => {
    const start = before[k]
    const end = read()
    return [k, start === undefined || end === undefined ? undefined : end - start]
  })) as Record<K, number | undefined>
  return { result, cpuMs: cpu }
}
