/**
 * Start-up of the Node service: development mode without `INGEST_CONFIG`
 * (a generated key, said plainly on stderr, that works), and a malformed
 * tenants file stopping start-up with a message that names the file and the
 * field, and a port in use stopping it with one line that says so.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { expectDevelopmentKey, expectPortInUseRefused, postEvents } from "@cdp/testkit"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { launchService, waitForStderr, within } from "./nodeService.ts"

let dir = ""
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "cdp-app-node-startup-"))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe("development mode (no INGEST_CONFIG)", () => {
  it("says so plainly on stderr with a fresh key, and that key works", async () => {
    const launch = (n: number) =>
      launchService({ PORT: "0", HOST: "127.0.0.1", INGEST_DB: join(dir, `dev-${n}`, "ingest.db"), LOG_LEVEL: "warn" })
    const services = [launch(1), launch(2)]
    try {
      const keys: Array<string> = []
      for (const service of services) {
        const baseUrl = await within(60_000, "start-up", service.listening)
        await waitForStderr(service, /DEVELOPMENT MODE[^\n]*\n[\s\S]*key:\s*\S+/)
        const stderr = service.stderr()
        expect(service.stdout(), "the notice goes to stderr").not.toMatch(/DEVELOPMENT MODE/)
        keys.push(await expectDevelopmentKey(baseUrl, stderr, `dev-${keys.length + 1}`))
      }
      expect(keys[0], "each start generates its own key").not.toBe(keys[1])
      // The other one's key is no key here.
      const other = await postEvents(await services[0]!.listening, keys[1], {})
      expect(other.status).toBe(401)
      for (const service of services) expect(await service.stop("SIGTERM")).toEqual({ code: 0, signal: null })
    } finally {
      for (const service of services) await service.stop("SIGKILL")
    }
  })
})

describe("a malformed INGEST_CONFIG stops start-up", () => {
  const goodTenant = { id: 567, keys: ["a".repeat(64)], channels: ["email"] }
  const cases: ReadonlyArray<readonly [string, string | undefined, ReadonlyArray<RegExp>]> = [
    ["bad JSON", '{ "tenants": [ ', [/not valid JSON/i]],
    ["an empty file", "", [/not valid JSON/i]],
    [
      "a key that is no digest",
      JSON.stringify({ tenants: [{ ...goodTenant, keys: ["abc"] }] }),
      [/tenants\[0\]\.keys\[0\]/],
    ],
    ["no tenants", JSON.stringify({ tenants: [] }), [/\btenants\b/]],
    ["a negative id", JSON.stringify({ tenants: [{ ...goodTenant, id: -1 }] }), [/tenants\[0\]\.id/]],
    [
      "an unknown channel",
      JSON.stringify({ tenants: [{ ...goodTenant, channels: ["fax"] }] }),
      [/tenants\[0\]\.channels\[0\]/],
    ],
    [
      "a second tenant with a zero rate",
      JSON.stringify({
        tenants: [goodTenant, { id: 568, keys: ["b".repeat(64)], channels: [], rateLimit: { perSecond: 0, burst: 1 } }],
      }),
      [/tenants\[1\]\.rateLimit\.perSecond/],
    ],
    ["an unknown setting", JSON.stringify({ tenants: [goodTenant], tenantz: [] }), [/tenantz/]],
    ["a file that is not there", undefined, []],
  ]

  // Concurrent: each case is a process that only reads its config and exits.
  it.concurrent.for(cases)(
    "%s: exit code not 0, a message naming the file and the field",
    async ([what, text, fields], { expect }) => {
      const file = join(dir, `config-${what.replace(/\W+/g, "-")}.json`)
      if (text !== undefined) await writeFile(file, text)
      const service = launchService({
        PORT: "0",
        HOST: "127.0.0.1",
        INGEST_DB: join(dir, "bad-config", "ingest.db"),
        INGEST_CONFIG: file,
      })
      try {
        const exit = await within(30_000, "exit after a malformed config", service.exited)
        const stderr = service.stderr()
        expect(exit.code, stderr).not.toBe(0)
        expect(exit.code, `${stderr}: an exit code, not a signal`).not.toBeNull()
        expect(stderr, "names the file").toContain(file)
        for (const field of fields) expect(stderr, "names the field").toMatch(field)
        expect(`${service.stdout()}${stderr}`).not.toMatch(/listening on/)
        expect(stderr, "a message, not a stack trace").not.toMatch(/^\s+at /m)
      } finally {
        await service.stop("SIGKILL")
      }
    },
  )
})

describe("a port in use stops start-up", () => {
  it("exits 1 with one line naming the address, not a stack trace", async () => {
    await expectPortInUseRefused((env) => launchService({ ...env, INGEST_DB: join(dir, "port-in-use", "ingest.db") }))
  })
})
