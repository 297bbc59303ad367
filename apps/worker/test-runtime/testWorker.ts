/**
 * The Worker as the in-runtime tests run it: the same fetch handler, and
 * the same object class with its storage wrapped so that a test can make
 * every write of one event id fail (`injectFault`), as a disk error would,
 * in the middle of whatever transaction carries it, or every object's
 * writes fail as its storage would when it fails, fills up or turns
 * read-only (`setStorageFault`), with the errors workerd's SQLite storage
 * throws: no `code`, SQLite's message, then the result code and, when it
 * differs, the extended one. The objects run in the tests' isolate, so the
 * faults are module variables.
 */
import worker, { type Env, IngestObject as RealIngestObject } from "../src/worker.ts"

let faultId: string | undefined

/** Makes every later write that binds `id` fail with an I/O error, until called with `undefined`. */
export const injectFault = (id: string | undefined): void => {
  faultId = id
}

/**
 * The storage faults an object can meet. Not `locked`: an object's SQLite
 * database belongs to that object alone, run on its one thread, so no other
 * connection can hold its lock.
 */
export type ObjectStorageFault = "io-error" | "disk-full" | "read-only"

/** What workerd throws for each, worded as it words SQLite's errors (`message: CODE (extended: CODE_X)`). */
const storageErrors: Record<ObjectStorageFault, string> = {
  "io-error": "disk I/O error: SQLITE_IOERR (extended: SQLITE_IOERR_WRITE)",
  "disk-full": "database or disk is full: SQLITE_FULL",
  "read-only": "attempt to write a readonly database: SQLITE_READONLY",
}

let storageFault: ObjectStorageFault | undefined

/** Makes every later write statement of every object fail with `fault`'s error, until called with `undefined`. */
export const setStorageFault = (fault: ObjectStorageFault | undefined): void => {
  storageFault = fault
}

/** Statements that write (migrations included); reads go through during a storage fault. */
const writes = /^\s*(INSERT|UPDATE|DELETE|REPLACE|CREATE|DROP|ALTER)\b/i

const faulty = (ctx: DurableObjectState): DurableObjectState => {
  const sql = ctx.storage.sql
  const exec = sql.exec.bind(sql)
  const wrapped = Object.create(sql) as SqlStorage
  wrapped.exec = ((query: string, ...bindings: Array<unknown>) => {
    if (faultId !== undefined && bindings.includes(faultId)) {
      throw new Error("disk I/O error (injected): SQLITE_IOERR")
    }
    if (storageFault !== undefined && writes.test(query)) throw new Error(storageErrors[storageFault])
    return exec(query, ...bindings)
  }) as SqlStorage["exec"]
  const storage = Object.create(ctx.storage) as DurableObjectStorage
  Object.defineProperty(storage, "sql", { value: wrapped })
  storage.transactionSync = (fn) => ctx.storage.transactionSync(fn)
  storage.deleteAll = (options) => ctx.storage.deleteAll(options)
  const state = Object.create(ctx) as DurableObjectState
  Object.defineProperty(state, "storage", { value: storage })
  return state
}

export class IngestObject extends RealIngestObject {
  constructor(ctx: DurableObjectState, env: Env) {
    super(faulty(ctx), env)
  }
}

export default worker
