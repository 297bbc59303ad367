/**
 * The WAL file of a database, synced with `node:fs/promises` (which Node.js,
 * Bun and Deno run on their I/O threads), for the node:sqlite database
 * thread's off-thread fsync (see `walSync.ts`).
 *
 * @module
 */
import { type FileHandle, open } from "node:fs/promises"

/**
 * `sync` flushes `<path>-wal` to disk (`fdatasync`, as SQLite does),
 * opening it on first use; `close` releases it.
 *
 * @since 0.2.0
 * @category constructors
 */
export const walFile = (path: string): { readonly sync: () => Promise<void>; readonly close: () => Promise<void> } => {
  let handle: Promise<FileHandle> | undefined
  return {
    sync: async () => {
      handle ??= open(`${path}-wal`, "r")
      let file: FileHandle
      try {
        file = await handle
      } catch (error) {
        handle = undefined
        throw error
      }
      await file.datasync()
    },
    close: async () => {
      const opened = handle
      handle = undefined
      await (await opened?.catch(() => undefined))?.close()
    },
  }
}
