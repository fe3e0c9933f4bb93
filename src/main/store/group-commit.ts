/**
 * Group commit: writes that may wait for the end of the current turn of the event loop share one transaction.
 *
 * A commit costs more than the statements of a stored message together (it appends every page the transaction
 * touched to the write-ahead log: the message, its indexes, the chat, the session's counters, the Signal sessions
 * the send advanced). Sends answered over the API arrive together and finish together; stored one transaction
 * each, they write the same pages again and again. Each write still runs in a savepoint of its own, so one that
 * fails undoes only itself, and its promise settles only once the shared transaction is committed: a caller that
 * answers after awaiting it never announces what is not on disk.
 */
import { type Db, inTransaction } from './database.js'

interface Job {
  work: () => unknown
  committed?: (value: unknown) => void
  resolve(value: unknown): void
  reject(reason: unknown): void
}

export interface GroupCommit {
  /**
   * Runs `work` in the transaction shared with the rest of this turn's; settles once that is committed.
   * `committed` runs right after the commit, synchronously and in the order of the writes (announcing what was
   * written: a write that something else must follow, such as a message its status updates, is announced first).
   */
  run<R>(work: () => R, committed?: (value: R) => void): Promise<R>
  /** Commits what is waiting now: before the database closes, or before writes that must come after these. */
  flush(): void
}

/**
 * `transaction(run)` must run `run` in a transaction of `db` (it may write more of its own in it, such as the held
 * Signal key changes).
 */
export function createGroupCommit(db: Db, transaction: (run: () => void) => void): GroupCommit {
  let queue: Job[] = []
  let scheduled: NodeJS.Immediate | undefined

  const commit = (): void => {
    clearImmediate(scheduled)
    scheduled = undefined
    if (!queue.length) return
    const jobs = queue
    queue = []
    const outcomes: ({ ok: true; value: unknown } | { ok: false; error: unknown })[] = []
    try {
      transaction(() => {
        for (const job of jobs) {
          try {
            // nested in the open transaction, better-sqlite3 runs this as a savepoint
            outcomes.push({ ok: true, value: inTransaction(db, job.work) })
          } catch (error) {
            outcomes.push({ ok: false, error })
          }
        }
      })
    } catch (error) {
      // the transaction itself failed (the commit, or the database closed): nothing of it is stored
      for (const job of jobs) job.reject(error)
      return
    }
    jobs.forEach((job, i) => {
      const outcome = outcomes[i]
      if (!outcome.ok) return job.reject(outcome.error)
      try {
        job.committed?.(outcome.value)
        job.resolve(outcome.value)
      } catch (error) {
        job.reject(error)
      }
    })
  }

  return {
    run: <R>(work: () => R, committed?: (value: R) => void) => new Promise<R>((resolve, reject) => {
      queue.push({ work, committed: committed as ((value: unknown) => void) | undefined, resolve: resolve as (value: unknown) => void, reject })
      scheduled ??= setImmediate(commit)
    }),
    flush: commit
  }
}
