/**
 * `foldProfile`, the overwrite rule that the stores apply and the store
 * suite uses as its oracle, against profiles written out by hand: each
 * attribute keeps the value of the latest event that carried it, ties going
 * to the later arrival; an absent key leaves the attribute alone, a present
 * one (an empty string too) replaces it; `updated_at` is the latest
 * timestamp; an id counts once, at its first arrival.
 */
import { describe, expect, it } from "vitest"
import { foldProfile } from "../src/profileFold.ts"

const T0 = "2024-05-27 10:30:00.000000 UTC"
const T1 = "2024-05-27 10:30:00.000001 UTC"
const T2 = "2024-05-27 10:31:00.000000 UTC"
const T3 = "2024-06-01 08:00:00.500000 UTC"

describe("foldProfile", () => {
  it("has no profile without events", () => {
    expect(foldProfile([])).toBeUndefined()
  })

  it("takes every key of a single event, and its timestamp as updated_at", () => {
    expect(
      foldProfile([{ id: "e1", timestamp: T0, context: { ootb_email: "john.doe@example.com", ootb_city: "NYC" } }]),
    ).toEqual({ attributes: { ootb_city: "NYC", ootb_email: "john.doe@example.com" }, updated_at: T0 })
  })

  it("gives an event with no keys a profile with no attributes", () => {
    expect(foldProfile([{ id: "e1", timestamp: T2, context: {} }])).toEqual({ attributes: {}, updated_at: T2 })
  })

  it("lists the attributes sorted by key", () => {
    const profile = foldProfile([{ id: "e1", timestamp: T0, context: { ootb_last_name: "Doe", ootb_age: 3 } }])
    expect(Object.keys(profile?.attributes ?? {})).toEqual(["ootb_age", "ootb_last_name"])
  })

  describe("ties: equal timestamps", () => {
    it("gives each shared key to the later arrival and keeps the keys only one carries", () => {
      expect(
        foldProfile([
          { id: "e1", timestamp: T1, context: { ootb_city: "NYC", ootb_first_name: "John" } },
          { id: "e2", timestamp: T1, context: { ootb_city: "Boston", ootb_last_name: "Doe" } },
        ]),
      ).toEqual({ attributes: { ootb_city: "Boston", ootb_first_name: "John", ootb_last_name: "Doe" }, updated_at: T1 })
    })

    it("follows arrival order, not id order", () => {
      expect(
        foldProfile([
          { id: "zz", timestamp: T1, context: { ootb_city: "first" } },
          { id: "aa", timestamp: T1, context: { ootb_city: "second" } },
          { id: "mm", timestamp: T1, context: { ootb_city: "third" } },
        ]),
      ).toEqual({ attributes: { ootb_city: "third" }, updated_at: T1 })
    })

    it("tells timestamps a microsecond apart", () => {
      expect(
        foldProfile([
          { id: "e1", timestamp: T1, context: { ootb_city: "one microsecond later" } },
          { id: "e2", timestamp: T0, context: { ootb_city: "earlier, arrived later" } },
        ]),
      ).toEqual({ attributes: { ootb_city: "one microsecond later" }, updated_at: T1 })
    })
  })

  describe("late events: an older event arriving later", () => {
    it("does not overwrite newer values, but adds the keys the newer events lack", () => {
      expect(
        foldProfile([
          { id: "new", timestamp: T2, context: { ootb_city: "Boston", ootb_email: "new@example.com" } },
          {
            id: "old",
            timestamp: T0,
            context: { ootb_city: "NYC", ootb_email: "old@example.com", ootb_gender: "male" },
          },
        ]),
      ).toEqual({
        attributes: { ootb_city: "Boston", ootb_email: "new@example.com", ootb_gender: "male" },
        updated_at: T2,
      })
    })

    it("loses to a newer value per key, even when it is newer than another key's value", () => {
      expect(
        foldProfile([
          { id: "a", timestamp: T3, context: { ootb_city: "Paris" } },
          { id: "b", timestamp: T0, context: { ootb_language: "en" } },
          { id: "c", timestamp: T2, context: { ootb_city: "Lyon", ootb_language: "fr" } },
        ]),
      ).toEqual({ attributes: { ootb_city: "Paris", ootb_language: "fr" }, updated_at: T3 })
    })

    it("leaves updated_at at the latest timestamp", () => {
      expect(
        foldProfile([
          { id: "new", timestamp: T3, context: {} },
          { id: "old", timestamp: T1, context: { ootb_city: "NYC" } },
        ]),
      ).toEqual({ attributes: { ootb_city: "NYC" }, updated_at: T3 })
    })
  })

  describe("empty strings and absent keys", () => {
    it("replaces a value with an empty string and keeps the empty string", () => {
      expect(
        foldProfile([
          { id: "e1", timestamp: T0, context: { ootb_city: "NYC", ootb_brand: "acme" } },
          { id: "e2", timestamp: T1, context: { ootb_brand: "" } },
        ]),
      ).toEqual({ attributes: { ootb_brand: "", ootb_city: "NYC" }, updated_at: T1 })
    })

    it("keeps a newer empty string against an older value arriving later", () => {
      expect(
        foldProfile([
          { id: "e2", timestamp: T2, context: { ootb_brand: "" } },
          { id: "e1", timestamp: T0, context: { ootb_brand: "acme" } },
        ]),
      ).toEqual({ attributes: { ootb_brand: "" }, updated_at: T2 })
    })

    it("replaces an empty string with a later value", () => {
      expect(
        foldProfile([
          { id: "e1", timestamp: T0, context: { ootb_affiliate_id: "" } },
          { id: "e2", timestamp: T2, context: { ootb_affiliate_id: "aff-7" } },
        ]),
      ).toEqual({ attributes: { ootb_affiliate_id: "aff-7" }, updated_at: T2 })
    })

    it("leaves an attribute alone when a newer event lacks its key", () => {
      expect(
        foldProfile([
          { id: "e1", timestamp: T0, context: { ootb_city: "NYC", ootb_email: "a@example.com" } },
          { id: "e2", timestamp: T2, context: { ootb_email: "b@example.com" } },
          { id: "e3", timestamp: T3, context: {} },
        ]),
      ).toEqual({ attributes: { ootb_city: "NYC", ootb_email: "b@example.com" }, updated_at: T3 })
    })

    it("overwrites with false and 0 as with any value", () => {
      expect(
        foldProfile([
          { id: "e1", timestamp: T0, context: { ootb_is_blocked: true, ootb_score: 12 } },
          { id: "e2", timestamp: T1, context: { ootb_is_blocked: false, ootb_score: 0 } },
        ]),
      ).toEqual({ attributes: { ootb_is_blocked: false, ootb_score: 0 }, updated_at: T1 })
    })
  })

  it("merges several keys from several events, each from its latest carrier", () => {
    expect(
      foldProfile([
        {
          id: "e1",
          timestamp: T1,
          context: { ootb_email: "john@example.com", ootb_city: "NYC", ootb_allow_email: "Yes" },
        },
        { id: "e2", timestamp: T3, context: { ootb_city: "Boston", ootb_is_email_verified: true } },
        { id: "e3", timestamp: T0, context: { ootb_allow_email: "No", ootb_first_name: "John", ootb_city: "LA" } },
        { id: "e4", timestamp: T2, context: { ootb_email: "", ootb_allow_sms: "No" } },
        { id: "e5", timestamp: T2, context: { ootb_allow_sms: "Yes" } },
      ]),
    ).toEqual({
      attributes: {
        ootb_allow_email: "Yes",
        ootb_allow_sms: "Yes",
        ootb_city: "Boston",
        ootb_email: "",
        ootb_first_name: "John",
        ootb_is_email_verified: true,
      },
      updated_at: T3,
    })
  })

  describe("duplicates", () => {
    it("counts an id once, at its first arrival, whatever the repeat carries", () => {
      expect(
        foldProfile([
          { id: "e1", timestamp: T0, context: { ootb_city: "NYC" } },
          { id: "e2", timestamp: T0, context: { ootb_city: "Boston" } },
          { id: "e1", timestamp: T3, context: { ootb_city: "resent", ootb_gender: "x" } },
        ]),
      ).toEqual({ attributes: { ootb_city: "Boston" }, updated_at: T0 })
    })
  })

  it("keeps a key named __proto__ as an attribute of its own", () => {
    const context = JSON.parse('{"__proto__": "x", "constructor": "y"}') as Record<string, unknown>
    const profile = foldProfile([{ id: "e1", timestamp: T0, context }])
    expect(JSON.stringify(profile)).toBe(`{"attributes":{"__proto__":"x","constructor":"y"},"updated_at":"${T0}"}`)
    expect(Object.getPrototypeOf(profile?.attributes)).toBe(Object.prototype)
  })
})
