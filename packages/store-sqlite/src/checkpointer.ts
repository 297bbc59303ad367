/**
 * The checkpointer: a thread with a connection of its own that copies
 * committed pages from the WAL back into the database file every few
 * milliseconds (`PRAGMA wal_checkpoint(PASSIVE)`, which never waits for, nor
 * blocks, the writer), so that the writer's commits seldom carry a
 * checkpoint (megabytes written and a second fsync, every few commits
 * otherwise). After each pass that copied pages it syncs the database file
 * (`fdatasync`), so that what it copied reaches the disk in small pieces:
 * otherwise the pages pile up, dirty, until a pass that empties the WAL (or
 * the writer's own checkpoint) syncs megabytes at once, and the writer's WAL
 * syncs queue behind that on the same disk, which lengthens the tail of
 * every request's latency.
 * Each driver starts the thread its runtime's way (it opens the file with
 * that runtime's SQLite); this module runs and stops it.
 * Runtime-free but for `node:fs` (through `databaseFile.ts`), which
 * Node.js, Bun and Deno all provide (`Worker` of `node:worker_threads` is
 * only a type here).
 *
 * @module
 */
import type { Worker } from "node:worker_threads"
import { isFileDatabase } from "./databaseFile.ts"
import type { CheckpointerData } from "./workerProtocol.ts"

/** Default pass interval, ms. @since 0.2.0 @category defaults */
export const DEFAULT_CHECKPOINT_INTERVAL_MS = 20

/**
 * The writer's own autocheckpoint while a checkpointer runs, in pages: a
 * safety net for when the checkpointer cannot keep up (SQLite's default is
 * 1000). @since 0.2.0 @category defaults
 */
export const WRITER_AUTOCHECKPOINT_WITH_CHECKPOINTER = 3000

/**
 * Starts the checkpointer of the file at `path` (the writer has set WAL mode
 * and migrated) and returns how to stop it. Its failure costs nothing but
 * speed: the writer's autocheckpoint remains. No thread for an in-memory
 * database or an interval of 0. `counters` (`CheckpointerData.counters`)
 * lets a test see its passes and syncs.
 *
 * @since 0.2.0
 * @category constructors
 */
export const runCheckpointer = (
  start: (data: CheckpointerData) => Worker,
  path: string,
  intervalMs: number,
  counters?: Int32Array,
): (() => Promise<void>) => {
  if (intervalMs <= 0 || !isFileDatabase(path)) return () => Promise.resolve()
  const thread = start(counters === undefined ? { path, intervalMs } : { path, intervalMs, counters })
  thread.on("error", () => undefined)
  const exited = new Promise<void>((resolve) => thread.once("exit", () => resolve()))
  let stopping = false
  return () => {
    if (!stopping) thread.postMessage("close")
    stopping = true
    return exited
  }
}
