/**
 * The Worker's state outlives the process: events and profiles written
 * through one `wrangler dev` are there after SIGTERM and a start on the same
 * `INGEST_DB` folder, and the same event sent again is a duplicate.
 */
import { contractTenantIds, getCustomer, postEvents, type ServerProcess } from "@cdp/testkit"
import { afterAll, describe, expect, it } from "vitest"
import { makeWorkspace, startWorker, type Workspace } from "./workerService.ts"

describe("restart on the same INGEST_DB", () => {
  let ws: Workspace | undefined
  let server: ServerProcess | undefined
  afterAll(async () => {
    await server?.stop("SIGKILL")
    await ws?.remove()
  })

  it("keeps every acknowledged event and profile; a resend is a duplicate", async () => {
    ws = await makeWorkspace("restart")
    const tenant = ws.tenants.find((t) => t.id === contractTenantIds.A)!
    const events = ["restart-a", "restart-b", "restart-c"].map((customer, i) => ({
      tenant: tenant.id,
      timestamp: `2024-05-27 10:3${i}:00.000000 UTC`,
      event: "ootb_user_details_update",
      customer,
      context: { ootb_city: `City ${i}` },
    }))
    server = await startWorker(ws)
    const first = await postEvents(server.baseUrl, tenant.key, events)
    expect(first.status, first.text).toBe(202)
    expect(first.body).toMatchObject({ accepted: 3, duplicates: 0 })
    expect(await server.stop("SIGTERM"), server.output()).toBe(0)

    server = await startWorker(ws)
    for (const [i, e] of events.entries()) {
      const profile = await getCustomer(server.baseUrl, tenant.key, e.customer)
      expect(profile.status, profile.text).toBe(200)
      expect(profile.body.attributes).toEqual({ ootb_city: `City ${i}` })
    }
    const again = await postEvents(server.baseUrl, tenant.key, events)
    expect(again.body).toMatchObject({ accepted: 0, duplicates: 3 })
    expect(await server.stop("SIGINT"), server.output()).toBe(0)
    server = undefined
  })
})
