/**
 * A smoke test of the store on whichever runtime runs it (Node.js, Bun,
 * Deno), against the test server: two stores on one new schema (migrations
 * applied once), duplicates within a batch and across stores, the overwrite
 * rule, strings PostgreSQL cannot hold, paging, erasure. Not part of
 * `npm test` (which runs on Node.js only); run it by hand:
 *
 *   npx tsx test/runtimeSmoke.ts
 *   bun run test/runtimeSmoke.ts
 *   deno run -A test/runtimeSmoke.ts
 */
import postgres from "postgres"
import { openPostgresStore } from "../src/index.ts"

const runtime =
  typeof (globalThis as { Bun?: unknown }).Bun !== "undefined"
    ? "bun"
    : typeof (globalThis as { Deno?: unknown }).Deno !== "undefined"
      ? "deno"
      : "node"
const url = "postgres://postgres@127.0.0.1:5432/test" // the test server, as in support.ts
const schema = `cdp_rt_${runtime}_${Date.now().toString(36)}`
const check = (ok: boolean, what: string) => {
  if (!ok) throw new Error(`${runtime}: ${what}`)
}
const ts = (s: number) => `2024-05-27 10:30:0${s}.000000 UTC`
const ev = (id: string, customer: string, s: number, context: Record<string, unknown>) => ({
  tenant: 567,
  customer,
  id,
  event: "ootb_user_details_update",
  timestamp: ts(s),
  receivedAt: ts(9),
  context,
})
const [a, b] = await Promise.all([
  openPostgresStore(`${url}?schema=${schema}`),
  openPostgresStore(`${url}?schema=${schema}`),
])
check(a.migrated.length + b.migrated.length === 1, "migrations applied once")
const r1 = await a.append([
  ev("e1", "c\u0000x", 2, { ootb_city: "NYC", ootb_email: "a@b.co" }),
  ev("e2", "c\u0000x", 1, { ootb_city: "Paris" }),
  ev("e1", "c\u0000x", 2, {}),
])
check(JSON.stringify(r1) === '["accepted","accepted","duplicate"]', `statuses ${JSON.stringify(r1)}`)
const r2 = await Promise.all([
  a.append([ev("e3", "c\u0000x", 2, { ootb_city: "Lima\ud800" })]),
  b.append([ev("e3", "c\u0000x", 2, { ootb_city: "Lima\ud800" })]),
])
check(r2.flat().sort().join() === "accepted,duplicate", `dedupe across stores ${JSON.stringify(r2)}`)
const p = await b.getProfile(567, "c\u0000x")
check(
  JSON.stringify(p?.attributes) === JSON.stringify({ ootb_city: "Lima\ud800", ootb_email: "a@b.co" }) &&
    p?.updated_at === ts(2),
  `profile ${JSON.stringify(p)}`,
)
const page1 = await a.listEvents(567, "c\u0000x", { limit: 2 })
const page2 = await a.listEvents(567, "c\u0000x", { limit: 2, cursor: page1.next ?? undefined })
check(page1.events.length === 2 && page2.events.length === 1 && page2.next === null, "paging")
check((await a.eraseCustomer(567, "c\u0000x")) && (await b.getProfile(567, "c\u0000x")) === undefined, "erase")
await a.ping()
await Promise.all([a.close(), b.close()])
const admin = postgres(url, { max: 1, onnotice: () => {} })
await admin.unsafe(`DROP SCHEMA "${schema}" CASCADE`)
await admin.end()
console.log(`${runtime}: store-postgres smoke test passed`)
