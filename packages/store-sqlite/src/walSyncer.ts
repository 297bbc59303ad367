/**
 * The WAL syncer: a thread that makes commits durable after the database
 * thread has moved on. The database thread commits with `synchronous =
 * NORMAL` (the WAL frames written, not yet synced) and hands the replies of
 * its writes here instead of to the caller; this thread takes every reply
 * waiting, syncs the WAL file once (`fdatasync`), and only then passes them
 * on. The database thread meanwhile writes the next group: its CPU work and
 * the disk's flush overlap, where a `FULL` commit would wait for the flush.
 *
 * A reply never leaves before a sync that began after its commit had
 * written its frames, so what is answered is on disk (the first sync also
 * syncs the folder, for a WAL file that is new). A failed sync fails
 * the replies waiting, and every later one (after a failed `fsync` the
 * kernel may have dropped the pages it could not write, so a later success
 * proves nothing): the store then answers writes as unavailable.
 *
 * Plain JavaScript, started with `eval`, so that it needs no TypeScript
 * loader; Node.js and Bun run it as a `node:worker_threads` worker.
 *
 * @module
 */
import { Worker } from "node:worker_threads"
import type { WalSyncerData } from "./workerProtocol.ts"

const source = `
const { parentPort, workerData, receiveMessageOnPort } = require("node:worker_threads")
const { openSync, fdatasyncSync, fsyncSync, closeSync } = require("node:fs")
const { dirname } = require("node:path")
let fd
let failure
let from
const sync = () => {
  if (fd === undefined) {
    try {
      fd = openSync(workerData.walPath, "r")
    } catch (error) {
      // No WAL yet: nothing was written, nothing to sync.
      if (error && error.code === "ENOENT") return
      throw error
    }
    // The WAL may be new: its entry in the folder must be on disk too.
    const folder = openSync(dirname(workerData.walPath), "r")
    try {
      fsyncSync(folder)
    } finally {
      closeSync(folder)
    }
  }
  fdatasyncSync(fd)
}
const pass = (first) => {
  const replies = first.slice()
  for (let next = receiveMessageOnPort(from); next !== undefined; next = receiveMessageOnPort(from)) {
    for (const reply of next.message) replies.push(reply)
  }
  if (failure === undefined) {
    try {
      sync()
    } catch (error) {
      failure = {
        name: "StoreError",
        storeCode: "unavailable",
        message: "the write-ahead log could not be synced to disk (" + (error && error.message) + "); the write may not be durable",
      }
    }
  }
  parentPort.postMessage({
    type: "replies",
    replies: failure === undefined ? replies : replies.map((reply) => ({ id: reply.id, ok: false, error: failure })),
  })
}
parentPort.on("message", (message) => {
  if (message === "close") {
    if (from !== undefined) {
      const rest = receiveMessageOnPort(from)
      if (rest !== undefined) pass(rest.message)
      from.close()
    }
    if (fd !== undefined) closeSync(fd)
    parentPort.close()
    return
  }
  from = message.port
  from.on("message", pass)
})
`

/**
 * Starts the syncer of the WAL file `walPath`. Its parent sends it, once,
 * `{ port }`: the end of a `MessageChannel` whose other end the database
 * thread posts arrays of replies to; it posts `{ type: "replies", replies }`
 * to its parent as the database thread would, and stops on `"close"`.
 *
 * @since 0.2.0
 * @category constructors
 */
export const startWalSyncer = (data: WalSyncerData): Worker => new Worker(source, { eval: true, workerData: data })
