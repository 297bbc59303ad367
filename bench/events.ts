/**
 * The events every contender validates: valid ones (the seed's example and
 * variations) and invalid ones (a few issues each), as JSON text. The runner
 * parses each text many times so that every contender gets fresh objects, as
 * a server would after `JSON.parse` of a request body.
 */

import { seedContext } from "@cdp/testkit"

const envelope = {
  tenant: 567,
  timestamp: "2024-05-27 10:30:00.000000 UTC",
  event: "ootb_user_details_update",
  customer: "customerId1",
}

/** Valid events: every contender accepts each of them. */
export const validEvents: ReadonlyArray<string> = [
  // The seed's example, all 28 parameters.
  { ...envelope, context: seedContext },
  // A few parameters: the email channel's pair.
  { ...envelope, customer: "c-1002", context: { ootb_email: "ana.silva@example.org", ootb_allow_email: "No" } },
  // RFC 3339 with Z, a handful of parameters.
  {
    ...envelope,
    timestamp: "2024-05-27T10:30:00Z",
    customer: "c-1003",
    context: {
      ootb_first_name: "Maria",
      ootb_last_name: "Müller",
      ootb_country: "DE",
      ootb_language: "de-DE",
      ootb_currency: "EUR",
      ootb_is_email_verified: false,
      ootb_allow_push: "Yes",
      ootb_status: "Started",
    },
  },
  // RFC 3339 with an offset and fractions, a visitor beside the customer.
  {
    ...envelope,
    timestamp: "2024-05-27T12:30:00.123456789+02:00",
    customer: "c-1004",
    visitor: "visitor-7f3a",
    context: {
      ootb_mobile_number: "+447700900123",
      ootb_allow_sms: "Yes",
      ootb_allow_whatsapp: "No",
      ootb_is_mobile_verified: true,
      ootb_city: "London",
      ootb_address: "221B Baker Street",
      ootb_date_of_birth: "1985-07-04",
      ootb_platform: "Android",
      ootb_referral_type: "SEO",
      ootb_language: "en-GB",
      ootb_promo_code: "SPRING25",
    },
  },
  // All 28 parameters again, other values, RFC 3339 with microseconds.
  {
    ...envelope,
    tenant: 90210,
    timestamp: "2025-01-02T03:04:05.678901Z",
    customer: "4f1c2a9e-8d7b-4c3e-9a1f-2b6d8e0c7a55",
    context: {
      ...seedContext,
      ootb_email: "li.wei+news@mail.example.cn",
      ootb_mobile_number: "+8613800138000",
      ootb_status: "Failed",
      ootb_date_of_birth: "2000-02-29",
      ootb_allow_sms: "No",
      ootb_gender: "female",
      ootb_country: "CN",
      ootb_language: "zh",
      ootb_currency: "CNY",
      ootb_brand: "LuckyStar",
      ootb_affiliate_id: "aff-889",
      ootb_platform: "Web",
    },
  },
  // No context at all.
  { ...envelope, customer: "c-1006" },
].map((e) => JSON.stringify(e))

/** Invalid events: a few issues each; every contender rejects each of them. */
export const invalidEvents: ReadonlyArray<string> = [
  // Wrong types, a bad email and an unknown parameter.
  {
    ...envelope,
    tenant: "567",
    context: { ...seedContext, ootb_email: "john.doe@", ootb_is_test: "false", ootb_favourite_colour: "blue" },
  },
  // A bad enum value, a string where a boolean goes, a too long name.
  {
    ...envelope,
    context: {
      ootb_email: "x@example.com",
      ootb_allow_sms: "Maybe",
      ootb_is_blocked: "no",
      ootb_first_name: "J".repeat(300),
      ootb_city: "Paris",
    },
  },
  // A bad timestamp, formats in the wrong case and an unknown envelope key.
  {
    ...envelope,
    timestamp: "2024/05/27 10:30",
    session: "s-1",
    context: { ootb_country: "usa", ootb_currency: "usd", ootb_language: "English", ootb_allow_email: "Yes" },
  },
  // A bad tenant, an empty customer, a bad phone number and status.
  {
    ...envelope,
    tenant: -5,
    customer: "",
    context: { ootb_mobile_number: "12345", ootb_status: "Done", ootb_allow_whatsapp: "yes" },
  },
  // The seed's example with one mistake: an email without a domain.
  { ...envelope, context: { ...seedContext, ootb_email: "john.doe" } },
  // The seed's example with a date that is no date and a number for a string.
  { ...envelope, context: { ...seedContext, ootb_date_of_birth: "1990-13-45", ootb_city: 42 } },
].map((e) => JSON.stringify(e))
