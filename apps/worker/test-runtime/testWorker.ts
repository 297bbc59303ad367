/**
 * The Worker as the in-runtime tests run it: the same fetch handler, and
 * the same object class with its storage wrapped so that a test can make
 * every write of one event id fail (`injectFault`), as a disk error would,
 * in the middle of whatever transaction carries it. The objects run in the
 * tests' isolate, so the fault is a module variable.
 */
import worker, { type Env, IngestObject as RealIngestObject } from "../src/worker.ts"

let faultId: string | undefined

/** Makes every later write that binds `id` fail with an I/O error, until called with `undefined`. */
export const injectFault = (id: string | undefined): void => {
  faultId = id
}

const faulty = (ctx: DurableObjectState): DurableObjectState => {
  const sql = ctx.storage.sql
  const exec = sql.exec.bind(sql)
  const wrapped = Object.create(sql) as SqlStorage
  wrapped.exec = ((query: string, ...bindings: Array<unknown>) => {
    if (faultId !== undefined && bindings.includes(faultId)) {
      throw new Error("disk I/O error (injected): SQLITE_IOERR")
    }
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
