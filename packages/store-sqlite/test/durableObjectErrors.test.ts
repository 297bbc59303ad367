/**
 * How the Durable Object driver reads workerd's SQL errors: they carry no
 * `code`, only a message that ends with the result code, and with the
 * extended code when it differs (`UNIQUE constraint failed: t.x:
 * SQLITE_CONSTRAINT (extended: SQLITE_CONSTRAINT_PRIMARYKEY)`, as workerd
 * 1.20260426 words it). Storage faults must reach the classifier as
 * `unavailable` in both forms. The same parsing on errors workerd itself
 * raises runs in apps/worker (project worker-workerd).
 */
import { StoreError } from "@cdp/store"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { classifySqliteError } from "../src/core/classifySqliteError.ts"
import { type DurableObjectSqlStorage, durableObjectDriver } from "../src/drivers/durable-object.ts"

/** A storage whose every statement throws `error`, as workerd's `sql.exec` does. */
const failingStorage = (error: Error): DurableObjectSqlStorage => ({
  sql: {
    exec: () => {
      throw error
    },
  },
  transactionSync: (fn) => fn(),
  deleteAll: async () => {},
})

/** What the driver throws for a statement that fails with `error`. */
const thrownBy = (error: Error): unknown => {
  try {
    durableObjectDriver(failingStorage(error)).prepare("INSERT INTO events VALUES (?)").run("x")
  } catch (thrown) {
    return thrown
  }
  throw new Error("the statement did not fail")
}

/** workerd's wording: SQLite's message, `: ` and the code, then the extended code when it is another. */
const workerdMessage = (message: string, primary: string, extended?: string): string =>
  `${message}: ${primary}${extended === undefined ? "" : ` (extended: ${extended})`}`

describe("the Durable Object driver's errors", () => {
  const faults: ReadonlyArray<readonly [string, string, ReadonlyArray<string>]> = [
    ["disk I/O error", "SQLITE_IOERR", ["SQLITE_IOERR_WRITE", "SQLITE_IOERR_FSYNC", "SQLITE_IOERR_SHORT_READ"]],
    ["database or disk is full", "SQLITE_FULL", []],
    ["attempt to write a readonly database", "SQLITE_READONLY", ["SQLITE_READONLY_DBMOVED"]],
    ["database is locked", "SQLITE_BUSY", ["SQLITE_BUSY_SNAPSHOT", "SQLITE_BUSY_TIMEOUT"]],
  ]

  it("are unavailable for every storage fault, with or without an extended code", () => {
    for (const [message, primary, extendedCodes] of faults) {
      for (const extended of [undefined, ...extendedCodes]) {
        const text = workerdMessage(message, primary, extended)
        const thrown = thrownBy(new Error(text))
        expect((thrown as { code?: unknown }).code, text).toBe(extended ?? primary)
        const classified = classifySqliteError(thrown)
        expect(classified, text).toBeInstanceOf(StoreError)
        expect((classified as StoreError).code, text).toBe("unavailable")
        expect((classified as StoreError).message, text).toContain(primary)
      }
    }
  })

  it("leave a constraint failure a bug, its extended code given", () => {
    const text = workerdMessage("UNIQUE constraint failed: t.x", "SQLITE_CONSTRAINT", "SQLITE_CONSTRAINT_PRIMARYKEY")
    const thrown = thrownBy(new Error(text))
    expect((thrown as { code?: unknown }).code).toBe("SQLITE_CONSTRAINT_PRIMARYKEY")
    expect(classifySqliteError(thrown)).toBe(thrown)
  })

  it("take the code from the end of any message, whatever SQLite's message says", () => {
    const code = fc.constantFrom("SQLITE_IOERR", "SQLITE_FULL", "SQLITE_READONLY", "SQLITE_BUSY", "SQLITE_LOCKED")
    fc.assert(
      fc.property(
        fc.string({ maxLength: 40 }),
        code,
        fc.option(fc.stringMatching(/^_[A-Z]{1,12}$/)),
        (message, primary, suffix) => {
          const extended = suffix === null ? undefined : `${primary}${suffix}`
          const classified = classifySqliteError(thrownBy(new Error(workerdMessage(message, primary, extended))))
          expect(classified).toBeInstanceOf(StoreError)
          expect((classified as StoreError).code).toBe("unavailable")
        },
      ),
      { numRuns: 300 },
    )
  })

  it("leave an error that names no code alone", () => {
    const error = new Error("RAISE() may only be used within a trigger-program")
    expect(thrownBy(error)).toBe(error)
    expect((error as { code?: unknown }).code).toBeUndefined()
  })
})
