/**
 * Start-up of the Node service on PostgreSQL: a server that is not there
 * stops start-up (after the store's start-up retries) with a message that
 * names the store, without its password; a malformed `schema` parameter
 * stops it at once.
 */
import { describe, expect, it } from "vitest"
import { launchService, within } from "./nodeService.ts"
import { freePort } from "./postgres.ts"

describe("start-up on PostgreSQL", () => {
  it("stops with a plain message, password hidden, when the server cannot be reached", async () => {
    const port = await freePort()
    const service = launchService({
      PORT: "0",
      HOST: "127.0.0.1",
      INGEST_DB: `postgres://postgres:s3cret-pw@127.0.0.1:${port}/test?schema=cdp_startup`,
    })
    const exit = await within(60_000, "exit", service.exited)
    expect(exit.code).toBe(1)
    const stderr = service.stderr()
    expect(stderr).toMatch(
      /cannot open the store postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:\d+\/test\?schema=cdp_startup/,
    )
    expect(stderr).toMatch(/unreachable \(ECONNREFUSED\)/)
    expect(stderr + service.stdout()).not.toContain("s3cret-pw")
  })

  it("stops at once on a schema name it will not use", async () => {
    const service = launchService({
      PORT: "0",
      HOST: "127.0.0.1",
      INGEST_DB: "postgres://postgres@127.0.0.1:5432/test?schema=Bad-Name",
    })
    const exit = await within(30_000, "exit", service.exited)
    expect(exit.code).toBe(1)
    expect(service.stderr()).toMatch(/INGEST_DB: schema must be 1 to 63 of a-z, 0-9 and _ .*got "Bad-Name"/)
  })
})
