/**
 * The checkpointer, seen from the store: a thread with a connection of its
 * own (`checkpointer.ts`) that copies committed pages from the WAL back into
 * the database file every few milliseconds, so that the writer's commits
 * seldom carry a checkpoint (megabytes written and a second fsync, every few
 * commits otherwise). After each pass that copied pages it syncs the
 * database file, so that what it copied reaches the disk in small pieces:
 * otherwise the pages pile up, dirty, until a pass that empties the WAL (or
 * the writer's own checkpoint) syncs megabytes at once, and the writer's WAL
 * syncs queue behind that on the same disk. Under sustained load the WAL is
 * never wholly copied between two commits, so it cannot start over; the
 * writer's autocheckpoint, set higher, then finishes a pass that is mostly
 * done and lets it. Durability does not depend on it: a commit is durable
 * in the WAL before it is answered. Runtime-free.
 *
 * @module
 */
import { isFileDatabase } from "../core/SqliteDriver.ts"
import type { CheckpointerData, ThreadHandle } from "./protocol.ts"

/** Default pass interval, ms. @since 0.2.0 @category defaults */
export const DEFAULT_CHECKPOINT_INTERVAL_MS = 20

/**
 * The writer's own autocheckpoint while a checkpointer runs, in pages: a
 * safety net for when the checkpointer cannot keep up (SQLite's default is
 * 1000). @since 0.2.0 @category defaults
 */
export const WRITER_AUTOCHECKPOINT_WITH_CHECKPOINTER = 3000

/**
 * Starts the checkpointer of the file at `data.path` (the writer has set WAL
 * mode and migrated) and returns how to stop it. Its failure costs nothing
 * but speed: the writer's autocheckpoint remains. No thread for an
 * in-memory database or an interval of 0. `data.counters` lets a test see
 * its passes and syncs.
 *
 * @since 0.2.0
 * @category constructors
 */
export const runCheckpointer = (
  start: (data: CheckpointerData) => ThreadHandle,
  data: CheckpointerData,
): (() => Promise<void>) => {
  if (data.intervalMs <= 0 || !isFileDatabase(data.path)) return () => Promise.resolve()
  const thread = start(data)
  thread.onError(() => undefined)
  const exited = new Promise<void>((resolve) => thread.onExit(() => resolve()))
  let stopping = false
  return () => {
    if (!stopping) thread.post("close")
    stopping = true
    return exited
  }
}

/**
 * How often a checkpointer passes (`checkpointIntervalMs`, default
 * `DEFAULT_CHECKPOINT_INTERVAL_MS`; 0 when the driver has none) and the
 * writer's `walAutocheckpoint` that goes with it (the caller's, else
 * `WRITER_AUTOCHECKPOINT_WITH_CHECKPOINTER` while a checkpointer runs, else
 * SQLite's own).
 *
 * @since 0.3.0
 * @category defaults
 */
export const checkpointSettings = (
  options: { readonly checkpointIntervalMs?: number; readonly walAutocheckpoint?: number },
  hasCheckpointer: boolean,
): { readonly intervalMs: number; readonly walAutocheckpoint: number | undefined } => {
  const intervalMs = hasCheckpointer ? Math.max(0, options.checkpointIntervalMs ?? DEFAULT_CHECKPOINT_INTERVAL_MS) : 0
  return {
    intervalMs,
    walAutocheckpoint:
      options.walAutocheckpoint ?? (intervalMs > 0 ? WRITER_AUTOCHECKPOINT_WITH_CHECKPOINTER : undefined),
  }
}
