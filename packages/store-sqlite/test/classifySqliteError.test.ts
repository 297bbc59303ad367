/**
 * The classifier on node:sqlite's error shapes, as Deno 2.9 and Node.js 22+
 * throw them (`code: "ERR_SQLITE_ERROR"`, with `errcode`/`errstr` from
 * statements, only a message from `exec()` and the constructor on Deno). The
 * real errors are provoked under Deno in apps/deno/test-runtime.
 */
import { StoreError } from "@cdp/store"
import { describe, expect, it } from "vitest"
import { classifySqliteError, isLockError } from "../src/core/classifySqliteError.ts"

const nodeSqliteError = (message: string, fields: object = {}, name = "Error"): Error =>
  Object.assign(new Error(message), { code: "ERR_SQLITE_ERROR", ...fields }, name === "Error" ? {} : { name })

describe("classifySqliteError on node:sqlite errors", () => {
  it("maps busy, locked, read-only, I/O, full and cannot-open to unavailable, with or without errcode", () => {
    const cases: ReadonlyArray<readonly [Error, string]> = [
      [nodeSqliteError("database is locked", { errcode: 5, errstr: "database is locked" }), "SQLITE_BUSY"],
      [nodeSqliteError("database is locked"), "SQLITE_BUSY"],
      [nodeSqliteError("database table is locked: events"), "SQLITE_LOCKED"],
      [nodeSqliteError("attempt to write a readonly database", { errcode: 8 }), "SQLITE_READONLY"],
      [nodeSqliteError("attempt to write a readonly database", { errcode: 1032 }), "SQLITE_READONLY"], // _DBMOVED
      [nodeSqliteError("attempt to write a readonly database"), "SQLITE_READONLY"],
      [nodeSqliteError("disk I/O error", { errcode: 4874, errstr: "disk I/O error" }), "SQLITE_IOERR"],
      [nodeSqliteError("disk I/O error"), "SQLITE_IOERR"],
      [nodeSqliteError("database or disk is full"), "SQLITE_FULL"],
      [nodeSqliteError("unable to open database file: /nope/ingest.db"), "SQLITE_CANTOPEN"],
      [nodeSqliteError("unable to open database file", { errcode: 14 }), "SQLITE_CANTOPEN"],
      [nodeSqliteError('Requires read access to "/x/ingest.db"', {}, "NotCapable"), "SQLITE_CANTOPEN"],
    ]
    for (const [error, name] of cases) {
      const mapped = classifySqliteError(error)
      expect(mapped, error.message).toBeInstanceOf(StoreError)
      expect((mapped as StoreError).code).toBe("unavailable")
      expect((mapped as StoreError).message).toContain(name)
    }
    expect(isLockError(nodeSqliteError("database is locked"))).toBe(true)
    expect(isLockError(nodeSqliteError("database table is locked"))).toBe(true)
    expect(isLockError(nodeSqliteError("disk I/O error"))).toBe(false)
    expect(isLockError(nodeSqliteError("attempt to write a readonly database"))).toBe(false)
  })

  it("maps node:sqlite's closed database (ERR_INVALID_STATE) to unavailable", () => {
    const closed = Object.assign(new Error("database is not open"), { code: "ERR_INVALID_STATE" })
    expect((classifySqliteError(closed) as StoreError).code).toBe("unavailable")
  })

  it("leaves constraint, syntax and misuse errors as they are", () => {
    for (const error of [
      nodeSqliteError("UNIQUE constraint failed: t.a", { errcode: 1555, errstr: "constraint failed" }),
      nodeSqliteError('near "bogus": syntax error in bogus at offset 0'),
      nodeSqliteError("datatype mismatch", { errcode: 20, errstr: "datatype mismatch" }),
      // A lock message from something that is no node:sqlite error is not trusted.
      new Error("database is locked"),
      Object.assign(new Error("database is locked"), { code: "ERR_OTHER" }),
    ]) {
      expect(classifySqliteError(error), error.message).toBe(error)
    }
  })
})
