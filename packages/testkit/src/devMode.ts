/**
 * What every app's start-up test checks of development mode (no
 * `INGEST_CONFIG`): the notice on stderr names tenant 567 and a fresh key,
 * and that key works against the running server while any other is refused.
 *
 * @module
 */
import { expect } from "vitest"
import { getCustomer, postEvents } from "./http/ApiClient.ts"

/**
 * Asserts the development-mode notice in `notice` (the server's stderr) and
 * that its key works at `baseUrl`: a POST for `customer` is accepted, the
 * profile reads back, another key gets 401. Returns the key.
 *
 * @since 0.2.0
 * @category assertions
 */
export const expectDevelopmentKey = async (baseUrl: string, notice: string, customer = "dev-1"): Promise<string> => {
  expect(notice).toMatch(/DEVELOPMENT MODE/)
  expect(notice).toMatch(/tenant:\s*567\b/)
  const key = (/key:\s*(\S+)/.exec(notice) as RegExpExecArray)[1] as string
  const event = {
    tenant: 567,
    timestamp: "2024-05-27 10:30:00.000000 UTC",
    event: "ootb_user_details_update",
    customer,
    context: { ootb_city: "NYC" },
  }
  const res = await postEvents(baseUrl, key, event)
  expect(res.status, res.text).toBe(202)
  expect(res.body).toMatchObject({ accepted: 1 })
  const profile = await getCustomer(baseUrl, key, customer)
  expect(profile.status, profile.text).toBe(200)
  expect(profile.body.attributes).toEqual({ ootb_city: "NYC" })
  expect((await postEvents(baseUrl, `${key}x`, event)).status, "another key").toBe(401)
  return key
}
