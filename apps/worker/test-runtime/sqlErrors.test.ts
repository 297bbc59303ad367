/**
 * The Durable Object driver on errors workerd's SQLite storage raises
 * itself: their wording (no `code`; the message ends with the result code
 * and, when it differs, the extended one) is what the driver parses to
 * classify a storage fault, so it is checked on the runtime the Worker
 * runs on, not only on copies of it.
 */

import { runInDurableObject } from "cloudflare:test"
import { env } from "cloudflare:workers"
import { durableObjectDriver } from "@cdp/store-sqlite/durable-object"
import { expect, it } from "vitest"
import type { Env } from "../src/worker.ts"

const failure = (fn: () => unknown): Error & { code?: unknown } => {
  try {
    fn()
  } catch (error) {
    return error as Error & { code?: unknown }
  }
  throw new Error("the statement did not fail")
}

it("reads the extended code of a real SQL error, and the plain code when there is no other", async () => {
  const namespace = (env as unknown as Env).INGEST_OBJECTS
  const stub = namespace.get(namespace.idFromName(`sql-errors-${crypto.randomUUID()}`))
  await runInDurableObject(stub, (_object, state) => {
    const driver = durableObjectDriver(state.storage)
    driver.exec("CREATE TABLE t (x INTEGER PRIMARY KEY)")
    const insert = driver.prepare("INSERT INTO t VALUES (?)")
    insert.run(1)
    const duplicate = failure(() => insert.run(1))
    expect(duplicate.message).toMatch(/: SQLITE_CONSTRAINT \(extended: SQLITE_CONSTRAINT_PRIMARYKEY\)$/)
    expect(duplicate.code).toBe("SQLITE_CONSTRAINT_PRIMARYKEY")
    const misuse = failure(() => driver.exec("SELECT raise(ABORT, 'x')"))
    expect(misuse.message).toMatch(/: SQLITE_ERROR$/)
    expect(misuse.code).toBe("SQLITE_ERROR")
  })
})
