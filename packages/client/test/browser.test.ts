/**
 * `@cdp/client` in a real browser: headless Chromium (Debian's `chromium`,
 * driven by playwright-core) loads a page from one local origin, whose
 * module script loads the client (bundled by esbuild), and sends events
 * with a `send`-only key to the real Node service on another origin:
 *
 * - from an origin the key's tenant allows, every event is delivered (read
 *   back from the test with a `read` key);
 * - from an origin only another tenant allows, the browser's preflight
 *   passes and the service refuses the request: 403 `forbidden`, not
 *   retried, nothing stored;
 * - from an origin no tenant allows, the browser stops the request at the
 *   preflight: nothing stored;
 * - the key the page holds cannot read a profile: the browser may not call
 *   the read routes at all (no CORS there), and the same key from a server
 *   gets 403 `forbidden`.
 *
 * Chromium missing is a failure, never a skip: `.ci/run` installs it.
 */
import { execFileSync } from "node:child_process"
import { existsSync } from "node:fs"
import {
  type ContractTenant,
  contractTenantIds,
  contractTenants,
  makeWorkspace,
  type ServerProcess,
  tenantOf,
  type Workspace,
} from "@cdp/testkit"
import { type Browser, chromium, type Page } from "playwright-core"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { ClientError, createClient } from "../src/index.ts"
import { freePort, startNodeService } from "./support/nodeService.ts"
import { bundleClient, type PageServer, startPageServer } from "./support/pageServer.ts"

/** The Chromium to drive: `CHROMIUM_PATH`, else `chromium` or `chromium-browser` on the PATH. */
const chromiumPath = (): string => {
  const given = process.env.CHROMIUM_PATH
  if (given !== undefined && given !== "") {
    if (!existsSync(given)) throw new Error(`CHROMIUM_PATH is ${given}, which does not exist`)
    return given
  }
  for (const name of ["chromium", "chromium-browser"]) {
    try {
      const path = execFileSync("sh", ["-c", `command -v ${name}`], { encoding: "utf8" }).trim()
      if (path !== "") return path
    } catch {}
  }
  throw new Error(
    "Chromium was not found (CHROMIUM_PATH, or chromium on the PATH): the browser test needs it. " +
      "Debian: apt-get install -y chromium (.ci/run installs it when it is missing).",
  )
}

/** What a `send` in the page came to, as the page hands it back. */
type Outcome =
  | { readonly ok: { readonly status: string; readonly id: string } }
  | {
      readonly error: {
        readonly name: string
        readonly code: string | undefined
        readonly status: number | undefined
        readonly attempts: number | undefined
      }
    }

/** The exports of the bundle, as the page holds them. */
type PageWindow = { cdp: typeof import("../src/index.ts") }

let ws: Workspace
let service: ServerProcess | undefined
let browser: Browser | undefined
const pages: Array<PageServer> = []
/** Pages on an origin tenant A allows, one only tenant B allows, one no tenant allows. */
let allowed: PageServer
let otherTenants: PageServer
let nobodys: PageServer
let tenantA: ContractTenant

/** Why there is no browser: each test fails with it (a failure, not a skip). */
let noBrowser: Error | undefined

beforeAll(async () => {
  let executablePath: string | undefined
  try {
    executablePath = chromiumPath()
  } catch (error) {
    noBrowser = error as Error
  }
  const bundle = await bundleClient()
  for (let i = 0; i < 3; i++) pages.push(await startPageServer(bundle))
  ;[allowed, otherTenants, nobodys] = pages as [PageServer, PageServer, PageServer]
  const tenants = contractTenants().map((t) =>
    t.id === contractTenantIds.A
      ? { ...t, allowedOrigins: [allowed.origin] }
      : t.id === contractTenantIds.B
        ? { ...t, allowedOrigins: [otherTenants.origin] }
        : t,
  )
  ws = await makeWorkspace("client-browser", { tenants })
  tenantA = tenantOf(ws.tenants, contractTenantIds.A)
  service = await startNodeService(ws, await freePort())
  if (executablePath !== undefined)
    browser = await chromium.launch({ executablePath, headless: true, args: ["--no-sandbox"] })
})

afterAll(async () => {
  try {
    await browser?.close()
    await service?.stop("SIGTERM")
    for (const p of pages) await p.close()
  } finally {
    await ws?.remove()
  }
})

const keys = () => {
  const scoped = tenantA.scopedKeys
  if (scoped === undefined) throw new Error("tenant A has no scoped keys")
  return scoped
}

/** A fresh tab on the page of `server`, once its module script has put the client on `window.cdp`. */
const openPage = async (server: PageServer): Promise<Page> => {
  if (browser === undefined) throw noBrowser ?? new Error("the browser did not start")
  const page = await browser.newPage()
  await page.goto(`${server.origin}/`)
  await page.waitForFunction(() => (window as unknown as Partial<PageWindow>).cdp !== undefined)
  return page
}

/** In the page: one client, `count` events of `customer` sent at once, then `close()`. */
const sendFromPage = (page: Page, customer: string, count: number, maxAttempts = 10): Promise<Array<Outcome>> =>
  page.evaluate(
    async ({ url, key, tenant, customer, count, maxAttempts }) => {
      const { createClient } = (window as unknown as PageWindow).cdp
      const client = createClient({ url, key, tenant, maxAttempts, baseDelayMs: 10 })
      const outcomes = await Promise.all(
        Array.from({ length: count }, (_, i) =>
          client
            .send("ootb_user_details_update", {
              customer,
              timestamp: new Date(Date.UTC(2024, 4, 27, 10, 30, i)),
              context: { ootb_city: `City ${i}` },
            })
            .then(
              (ok) => ({ ok }),
              (e: { name: string; code?: string; status?: number; attempts?: number }) => ({
                error: { name: e.name, code: e.code, status: e.status, attempts: e.attempts },
              }),
            ),
        ),
      )
      await client.close()
      return outcomes
    },
    { url: service?.baseUrl ?? "", key: keys().send, tenant: tenantA.id, customer, count, maxAttempts },
  )

/** The ids of the customer's stored events, read from the test with the read-only key. */
const storedIds = async (customer: string): Promise<Array<string>> => {
  const reader = createClient({ url: service?.baseUrl ?? "", key: keys().read, tenant: tenantA.id })
  const ids: Array<string> = []
  try {
    for await (const event of reader.events(customer)) ids.push(event.id)
  } catch (error) {
    if (!(error instanceof ClientError && error.code === "not_found")) throw error
  }
  return ids.sort()
}

const customerOf = (label: string) => `browser-${label}-${crypto.randomUUID()}`

describe("@cdp/client in headless Chromium, a page on one origin sending to the service on another", () => {
  const delivered = customerOf("allowed")

  it("from an origin the tenant allows, a send-only key delivers every event", async () => {
    const page = await openPage(allowed)
    const outcomes = await sendFromPage(page, delivered, 25)
    await page.close()
    expect(outcomes.map((o) => ("ok" in o ? o.ok.status : o.error.code))).toEqual(outcomes.map(() => "accepted"))
    const ids = outcomes.flatMap((o) => ("ok" in o ? [o.ok.id] : []))
    expect(new Set(ids).size).toBe(25)
    expect(await storedIds(delivered)).toEqual([...ids].sort())
  })

  it("from an origin only another tenant allows: 403 forbidden, not retried, nothing stored", async () => {
    const customer = customerOf("other-tenant")
    const page = await openPage(otherTenants)
    const outcomes = await sendFromPage(page, customer, 5)
    await page.close()
    expect(outcomes).toEqual(
      outcomes.map(() => ({ error: { name: "ClientError", code: "forbidden", status: 403, attempts: 1 } })),
    )
    expect(await storedIds(customer)).toEqual([])
  })

  it("from an origin no tenant allows: the browser stops it at the preflight, nothing stored", async () => {
    const customer = customerOf("nobody")
    const page = await openPage(nobodys)
    const outcomes = await sendFromPage(page, customer, 3, 1)
    await page.close()
    expect(outcomes).toEqual(
      outcomes.map(() => ({ error: { name: "ClientError", code: "network_error", attempts: 1 } })),
    )
    expect(await storedIds(customer)).toEqual([])
  })

  it("the page's send-only key cannot read a profile: not from the page, and forbidden from a server", async () => {
    expect(await storedIds(delivered)).toHaveLength(25)
    const page = await openPage(allowed)
    const inPage = await page.evaluate(
      async ({ url, key, tenant, customer }) => {
        const { createClient } = (window as unknown as PageWindow).cdp
        const client = createClient({ url, key, tenant, maxAttempts: 1 })
        return client.getProfile(customer).then(
          () => "read",
          (e: { name: string; code?: string }) => `${e.name} ${e.code}`,
        )
      },
      { url: service?.baseUrl ?? "", key: keys().send, tenant: tenantA.id, customer: delivered },
    )
    await page.close()
    // No CORS on the read routes: the browser refuses the page the answer.
    expect(inPage).toBe("ClientError network_error")
    const fromServer = createClient({ url: service?.baseUrl ?? "", key: keys().send, tenant: tenantA.id })
    const error = await fromServer.getProfile(delivered).then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(error).toBeInstanceOf(ClientError)
    expect(error).toMatchObject({ code: "forbidden", status: 403, attempts: 1 })
    // The read key of the same tenant reads it: the profile is there.
    const reader = createClient({ url: service?.baseUrl ?? "", key: keys().read, tenant: tenantA.id })
    expect((await reader.getProfile(delivered)).attributes).toMatchObject({ ootb_city: "City 24" })
  })
})
