/**
 * The checkpointer thread of the bun:sqlite store (`checkpointer.ts`): a
 * connection of its own that runs `PRAGMA wal_checkpoint(PASSIVE)` every
 * `intervalMs`, and syncs the database file after each pass that copied
 * pages, until told to stop. Not an entry point of the package; the driver
 * starts it as a Bun worker.
 *
 * @module
 */
import { Database } from "bun:sqlite"
import { closeSync, fdatasyncSync, openSync } from "node:fs"
import { parentPort, workerData } from "node:worker_threads"
import { CHECKPOINTER_PASSES, CHECKPOINTER_SYNCS, type CheckpointerData } from "./workerProtocol.ts"

const port = parentPort
if (port === null) throw new Error("bunCheckpointer.ts runs only as a worker thread")
const data = workerData as CheckpointerData
const counters = data.counters

let db: Database | undefined
let file: number | undefined
try {
  db = new Database(data.path, { readwrite: true, create: false })
  // A checkpoint syncs the WAL before copying and the database file after.
  db.exec("PRAGMA synchronous = FULL")
  // Read-write (never written through): Windows syncs only such handles.
  file = openSync(data.path, "r+")
} catch {
  db?.close()
  db = undefined // the writer checkpoints by itself
}
const checkpoint = db?.prepare<{ checkpointed: number }, []>("PRAGMA wal_checkpoint(PASSIVE)")
let copied = 0
const timer =
  db === undefined
    ? undefined
    : setInterval(() => {
        try {
          const checkpointed = checkpoint?.get()?.checkpointed ?? 0
          if (counters) Atomics.add(counters, CHECKPOINTER_PASSES, 1)
          // Frames copied so far in this WAL; it changed: this pass copied pages, sync them.
          const changed = checkpointed > 0 && checkpointed !== copied
          copied = checkpointed
          if (changed && file !== undefined) {
            fdatasyncSync(file)
            if (counters) Atomics.add(counters, CHECKPOINTER_SYNCS, 1)
          }
        } catch {
          // busy (another checkpoint runs) or an I/O error: the next pass, or the writer, tries again
        }
      }, data.intervalMs)
const stop = () => {
  if (timer !== undefined) clearInterval(timer)
  try {
    if (file !== undefined) closeSync(file)
    db?.close()
  } finally {
    port.close()
  }
}
if (db === undefined) stop()
else port.once("message", stop)
