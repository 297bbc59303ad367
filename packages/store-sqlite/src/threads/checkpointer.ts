/**
 * The checkpointer thread (`runCheckpointer.ts` starts and stops it): a
 * connection of its own, opened with the driver module it is given, that
 * runs `PRAGMA wal_checkpoint(PASSIVE)` every `intervalMs` (which never
 * waits for, nor blocks, the writer) and syncs the database file after each
 * pass that copied pages, until told to stop. When the file cannot be
 * opened it stops at once: the writer checkpoints by itself. Not an entry
 * point of the package.
 *
 * @module
 */
import { closeSync, fdatasyncSync, openSync } from "node:fs"
import type { SqliteDriver } from "../core/SqliteDriver.ts"
import { connectToParent } from "./parentPort.ts"
import { CHECKPOINTER_PASSES, CHECKPOINTER_SYNCS, type CheckpointerData, type DriverModule } from "./protocol.ts"

const parent = await connectToParent<CheckpointerData>()
const { driverModule, path, intervalMs, counters } = parent.data

/** The connection and the database file, or nothing when either cannot be opened. */
const openFiles = async (): Promise<{ connection: SqliteDriver; file: number } | undefined> => {
  let connection: SqliteDriver | undefined
  try {
    connection = ((await import(driverModule)) as DriverModule).openConnection(path)
    // A checkpoint syncs the WAL before copying and the database file after.
    connection.exec("PRAGMA synchronous = FULL")
    // Read-write (never written through): Windows syncs only such handles.
    return { connection, file: openSync(path, "r+") }
  } catch {
    connection?.close()
    return undefined
  }
}

const opened = await openFiles()
if (opened === undefined) parent.close()
else {
  const { connection, file } = opened
  const checkpoint = connection.prepare("PRAGMA wal_checkpoint(PASSIVE)")
  /** Frames of the WAL copied so far, as the last pass saw them. */
  let copied = 0
  const timer = setInterval(() => {
    try {
      const checkpointed = Number((checkpoint.get() as { checkpointed?: number } | undefined)?.checkpointed ?? 0)
      if (counters) Atomics.add(counters, CHECKPOINTER_PASSES, 1)
      // It changed: this pass copied pages, sync them.
      const changed = checkpointed > 0 && checkpointed !== copied
      copied = checkpointed
      if (changed) {
        fdatasyncSync(file)
        if (counters) Atomics.add(counters, CHECKPOINTER_SYNCS, 1)
      }
    } catch {
      // busy (another checkpoint runs) or an I/O error: the next pass, or the writer, tries again
    }
  }, intervalMs)
  parent.onMessage(() => {
    clearInterval(timer)
    try {
      closeSync(file)
      connection.close()
    } finally {
      parent.close()
    }
  })
}
