/**
 * The WAL syncer: a thread that makes commits durable after the database
 * thread has moved on. The database thread commits large groups with
 * `synchronous = NORMAL` (the WAL frames written, not yet synced) and hands
 * their replies here instead of to the store; this thread takes every reply
 * waiting, syncs the WAL file once (`fdatasync`), and only then passes them
 * on. The database thread meanwhile writes the next group: its CPU work and
 * the disk's flush overlap, where a `FULL` commit would wait for the flush.
 *
 * A reply never leaves before a sync that began after its commit had
 * written its frames, so what is answered is on disk (the first sync also
 * syncs the folder, for a WAL file that is new). A failed sync fails the
 * replies waiting, and every later one (after a failed `fsync` the kernel
 * may have dropped the pages it could not write, so a later success proves
 * nothing): the store then answers writes as unavailable.
 *
 * Its store sends it, once, `{ port }`: the end of a `MessageChannel` whose
 * other end the database thread posts arrays of replies to; it posts
 * `{ type: "replies", replies }` to the store as the database thread would,
 * and stops on `"close"`. `node:worker_threads` only (Node.js, Bun). Not an
 * entry point of the package.
 *
 * @module
 */
import { closeSync, fdatasyncSync, fsyncSync, openSync } from "node:fs"
import { dirname } from "node:path"
import { type MessagePort, receiveMessageOnPort } from "node:worker_threads"
import { connectToParent } from "./parentPort.ts"
import type { Reply, SerializedError, ThreadMessage, WalSyncerData } from "./protocol.ts"

const parent = await connectToParent<WalSyncerData>()
const { walPath } = parent.data
let fd: number | undefined
let failure: SerializedError | undefined
let from: MessagePort | undefined

const sync = (): void => {
  if (fd === undefined) {
    try {
      fd = openSync(walPath, "r")
    } catch (error) {
      // No WAL yet: nothing was written, nothing to sync.
      if ((error as { code?: unknown }).code === "ENOENT") return
      throw error
    }
    // The WAL may be new: its entry in the folder must be on disk too.
    const folder = openSync(dirname(walPath), "r")
    try {
      fsyncSync(folder)
    } finally {
      closeSync(folder)
    }
  }
  fdatasyncSync(fd)
}

/** Syncs once for `first` and every reply waiting behind it, then passes them on. */
const pass = (first: ReadonlyArray<Reply>): void => {
  const replies = first.slice()
  if (from !== undefined) {
    for (let next = receiveMessageOnPort(from); next !== undefined; next = receiveMessageOnPort(from)) {
      for (const reply of next.message as ReadonlyArray<Reply>) replies.push(reply)
    }
  }
  if (failure === undefined) {
    try {
      sync()
    } catch (error) {
      failure = {
        name: "StoreError",
        storeCode: "unavailable",
        message: `the write-ahead log could not be synced to disk (${(error as Error).message}); the write may not be durable`,
      }
    }
  }
  const failed = failure
  const message: ThreadMessage = {
    type: "replies",
    replies: failed === undefined ? replies : replies.map((reply) => ({ id: reply.id, ok: false, error: failed })),
  }
  parent.post(message)
}

parent.onMessage((message) => {
  if (message === "close") {
    if (from !== undefined) {
      const rest = receiveMessageOnPort(from)
      if (rest !== undefined) pass(rest.message as ReadonlyArray<Reply>)
      from.close()
    }
    if (fd !== undefined) closeSync(fd)
    parent.close()
    return
  }
  from = (message as { port: MessagePort }).port
  from.on("message", pass)
})
