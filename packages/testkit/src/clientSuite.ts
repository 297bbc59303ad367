/**
 * The suite that `@cdp/client` passes inside each runtime it supports
 * (workerd, Bun, Deno): written once, given the client's `createClient` and
 * a real running service, run by each runtime's own runner. It sends
 * through the runtime's own `fetch` and reads everything back from the
 * service: every event stored once, a resend answered `duplicate` with the
 * same ids, a `send`-only key that sends but cannot read.
 *
 * The testkit does not depend on the client (the client's tests use the
 * testkit): the suite takes `createClient` as an argument, typed by the
 * little of it the suite uses. Only Web APIs and vitest, so it loads inside
 * workerd (`@cdp/testkit/portable`).
 *
 * ```ts
 * import { createClient } from "@cdp/client"
 * clientInRuntime("bun", () => ({ createClient, service }))
 * ```
 *
 * @module
 */
import { describe, expect, it } from "vitest"

/**
 * What the suite sends: an `ootb_user_details_update` event of a customer.
 *
 * @since 0.4.0
 * @category models
 */
export interface SuiteEventInput {
  readonly customer: string
  readonly timestamp?: Date
  readonly context: { readonly ootb_city: string; readonly ootb_is_test?: boolean }
}

/**
 * The part of `@cdp/client`'s `Client` the suite uses.
 *
 * @since 0.4.0
 * @category models
 */
export interface SuiteClient {
  readonly send: (
    kind: "ootb_user_details_update",
    input: SuiteEventInput,
  ) => Promise<{ readonly status: "accepted" | "duplicate"; readonly id: string }>
  readonly close: () => Promise<void>
  readonly getProfile: (customer: string) => Promise<{ readonly attributes: Readonly<Record<string, unknown>> }>
  readonly events: (customer: string) => AsyncIterable<{ readonly id: string }>
}

/**
 * A service the suite sends to, and `createClient` of `@cdp/client` as the
 * runtime under test loaded it.
 *
 * @since 0.4.0
 * @category models
 */
export interface ClientSuiteFixture {
  readonly createClient: (options: {
    readonly url: string
    readonly key: string
    readonly tenant: number
    readonly maxBatchEvents?: number
  }) => SuiteClient
  readonly service: {
    readonly url: string
    readonly tenant: number
    /** A key of the tenant with every scope. */
    readonly key: string
    /** A key of the tenant with the `send` scope only. */
    readonly sendKey: string
  }
}

const kind = "ootb_user_details_update"

/**
 * Declares the suite; `fixture` is called inside each test, once the
 * service runs (start it in `beforeAll`).
 *
 * @since 0.4.0
 * @category suites
 */
export const clientInRuntime = (runtime: string, fixture: () => ClientSuiteFixture): void => {
  describe(`@cdp/client inside ${runtime}`, () => {
    const customerOf = (label: string) => `${runtime}-${label}-${crypto.randomUUID()}`

    /** Every stored event id of the customer, read with the full key by a client of its own. */
    const storedIds = async (customer: string): Promise<Array<string>> => {
      const { createClient, service } = fixture()
      const reader = createClient({ url: service.url, key: service.key, tenant: service.tenant })
      const ids: Array<string> = []
      for await (const event of reader.events(customer)) ids.push(event.id)
      return ids.sort()
    }

    it("sends in batches: every event stored once; a resend answers duplicate with the same ids", async () => {
      const { createClient, service } = fixture()
      const client = createClient({ url: service.url, key: service.key, tenant: service.tenant, maxBatchEvents: 40 })
      const customer = customerOf("batches")
      const count = 130
      const start = Date.UTC(2024, 4, 27, 10, 30)
      const inputs: Array<SuiteEventInput> = Array.from({ length: count }, (_, i) => ({
        customer,
        timestamp: new Date(start + i * 1000),
        context: { ootb_city: `City ${i}`, ootb_is_test: i % 2 === 0 },
      }))
      const first = await Promise.all(inputs.map((input) => client.send(kind, input)))
      expect(first.map((r) => r.status)).toEqual(inputs.map(() => "accepted"))
      const ids = first.map((r) => r.id)
      expect(new Set(ids).size).toBe(count)
      const again = await Promise.all(inputs.map((input) => client.send(kind, input)))
      expect(again).toEqual(ids.map((id) => ({ status: "duplicate", id })))
      await client.close()
      expect(await storedIds(customer)).toEqual([...ids].sort())
      const reader = createClient({ url: service.url, key: service.key, tenant: service.tenant })
      expect((await reader.getProfile(customer)).attributes).toMatchObject({ ootb_city: `City ${count - 1}` })
    })

    it("a send-only key sends, and reading a profile with it is forbidden, not retried", async () => {
      const { createClient, service } = fixture()
      const client = createClient({ url: service.url, key: service.sendKey, tenant: service.tenant })
      const customer = customerOf("scopes")
      const result = await client.send(kind, { customer, context: { ootb_city: "Lisbon" } })
      expect(result.status).toBe("accepted")
      const error = await client.getProfile(customer).then(
        () => undefined,
        (e: unknown) => e,
      )
      expect(error).toMatchObject({ name: "ClientError", code: "forbidden", status: 403, attempts: 1 })
      await client.close()
      expect(await storedIds(customer)).toEqual([result.id])
    })
  })
}
