/**
 * Durable commits without waiting on the disk in the committing thread (the
 * node:sqlite database thread, `nodeSqliteThread.ts`): it commits with
 * `synchronous = NORMAL` (SQLite writes the WAL frames but does not fsync
 * them) and then calls `fsync` on the WAL file through an asynchronous file
 * API, which runs on the runtime's I/O threads; each commit is answered only
 * after an fsync that began after it. The thread goes on committing the next
 * requests while the disk syncs, and one fsync serves every commit made
 * before it began. Durability is that of `synchronous = FULL`: an acknowledged
 * commit's frames are on disk (fsync flushes the file, whichever descriptor
 * it is called on), SQLite syncs the WAL itself before any checkpoint copies
 * it, and its recovery replays only whole, checksummed commits.
 * Runtime-free: the driver hands in the fsync.
 *
 * @module
 */

/**
 * Coalesces fsync calls: `sync()` resolves after an fsync that began after
 * the call. While one runs, later callers share the next one.
 *
 * @since 0.2.0
 * @category constructors
 */
export const makeSyncer = (fsync: () => Promise<void>): (() => Promise<void>) => {
  let running: Promise<void> | undefined
  let next: Promise<void> | undefined
  const start = (): Promise<void> => {
    const p = fsync().finally(() => {
      if (running === p) running = undefined
    })
    running = p
    return p
  }
  return () => {
    if (running === undefined) return start()
    next ??= running
      .catch(() => undefined)
      .then(() => {
        next = undefined
        return start()
      })
    return next
  }
}
