import { type Route, routes } from "@cdp/api"
import { describe, expect, it } from "vitest"
import { makeApp } from "../src/app.ts"
import { makeMemoryStore } from "../src/MemoryStore.ts"
import { parseConfig, sha256Hex } from "../src/TenantConfig.ts"

const key = "routing-test-key"
const event = {
  tenant: 567,
  timestamp: "2024-05-27 10:30:00.000000 UTC",
  event: "ootb_user_details_update",
  customer: "customerId1",
  context: { ootb_city: "NYC" },
}

/** A fresh app whose tenant has one customer, `customerId1`. */
const seededApp = async () => {
  const config = parseConfig({ tenants: [{ id: 567, keys: [await sha256Hex(key)] }] }, "routing.test.ts")
  const app = makeApp({ store: makeMemoryStore(), config })
  const seeded = await app.request("/v1/events", {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify(event),
  })
  expect(seeded.status).toBe(202)
  return app
}

/** A request to a route of the table, its parameters filled in for the seeded customer. */
const requestOf = (route: Route): Request => {
  const path = route.path.replace("{customer}", "customerId1").replace("{event}", "ootb_user_details_update")
  const query = (route.parameters ?? []).some((p) => p.name === "customer" && p.in === "query")
    ? "?customer=customerId1"
    : ""
  const headers: Record<string, string> = route.bearer ? { authorization: `Bearer ${key}` } : {}
  const body = route.method === "post" ? JSON.stringify({ ...event, context: { ootb_city: "LA" } }) : undefined
  if (body !== undefined) headers["content-type"] = "application/json"
  return new Request(`http://localhost${path}${query}`, {
    method: route.method.toUpperCase(),
    headers,
    ...(body !== undefined ? { body } : {}),
  })
}

describe("the app's routes are the route table's", () => {
  it("every route of the table reaches its handler and answers its success status", async () => {
    for (const [operationId, route] of Object.entries(routes) as Array<[string, Route]>) {
      const app = await seededApp()
      const res = await app.request(requestOf(route))
      const success = Object.keys(route.responses).filter((s) => s.startsWith("2"))
      expect(success, operationId).toContain(String(res.status))
    }
  })

  it("asks for the key on exactly the routes the table marks `bearer`", async () => {
    const app = await seededApp()
    for (const [operationId, route] of Object.entries(routes) as Array<[string, Route]>) {
      const request = requestOf(route)
      request.headers.delete("authorization")
      const res = await app.request(request)
      if (route.bearer) expect(res.status, operationId).toBe(401)
      else expect(Object.keys(route.responses), operationId).toContain(String(res.status))
    }
  })

  it("a method the table does not name on a path it names is no route", async () => {
    const app = await seededApp()
    for (const [method, path] of [
      ["PUT", "/v1/schemas"],
      ["POST", "/healthz"],
      ["PATCH", "/openapi.json"],
    ] as const) {
      const res = await app.request(path, { method })
      expect(res.status, `${method} ${path}`).toBe(404)
      expect(((await res.json()) as { detail: string }).detail).toBe(`No route ${method} ${path}.`)
    }
  })

  it("an event schema is served only under its file name", async () => {
    const app = await seededApp()
    expect((await app.request("/v1/schemas/ootb_user_details_update.json")).status).toBe(200)
    expect((await app.request("/v1/schemas/ootb_user_details_update")).status).toBe(404)
  })
})
