/**
 * What the graceful-shutdown tests of every app need around a real server:
 * POSTs whose bodies are still streaming in when the signal comes, a probe
 * of whether the server still takes connections, the checks that the
 * database was closed cleanly and kept what was acknowledged, and small
 * timing helpers.
 * Test-side only (uses node:net).
 *
 * @module
 */
import { existsSync, statSync } from "node:fs"
import { connect } from "node:net"
import { expect } from "vitest"
import { bearer, getCustomer, urlOf } from "./http/ApiClient.ts"
import type { ContractTenant } from "./http/contractTenants.ts"

/** @since 0.2.0 @category utils */
export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * Races a promise against a deadline; rejects with `what` when the deadline
 * passes first.
 *
 * @since 0.2.0
 * @category utils
 */
export const within = <A>(ms: number, what: string, promise: Promise<A>): Promise<A> => {
  let timer: ReturnType<typeof setTimeout> | undefined
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms)
    }),
  ]).finally(() => clearTimeout(timer))
}

/**
 * What a new TCP connection to the server's port gets: `"connected"` or the
 * error code (`ECONNREFUSED` once the server stopped listening).
 *
 * @since 0.2.0
 * @category utils
 */
export const tryConnect = (baseUrl: string): Promise<string> =>
  new Promise((resolve) => {
    const url = new URL(baseUrl)
    const socket = connect(Number(url.port), url.hostname)
    socket.once("connect", () => {
      socket.destroy()
      resolve("connected")
    })
    socket.once("error", (e: NodeJS.ErrnoException) => resolve(e.code ?? String(e)))
  })

/** @since 0.2.0 @category models */
export interface SlowUpload {
  readonly status: number
  readonly body: { readonly accepted: number }
  /** When its answer came (`Date.now()`). */
  readonly at: number
}

/** @since 0.2.0 @category models */
export interface SlowUploads {
  /** Pieces pulled so far by each upload's body (its first piece goes with the headers). */
  readonly pulled: ReadonlyArray<number>
  /** The answers, in the customers' order. */
  readonly answers: Promise<ReadonlyArray<SlowUpload>>
  /** Resolves once every upload is under way (two pieces pulled), or after 10 s. */
  readonly underway: () => Promise<void>
  /** Uploads that have not sent their whole body yet. */
  readonly stillStreaming: () => number
  /** Asserts that every upload is under way and none has sent its whole body. */
  readonly expectMidStream: () => void
  /** Asserts that each customer's profile, read from `baseUrl` (after a restart, say), holds what its upload sent. */
  readonly expectStored: (baseUrl: string) => Promise<void>
}

/**
 * Asserts that the SQLite database at `db` was closed cleanly: nothing left
 * in its write-ahead log (checkpointed away, or the file removed).
 *
 * @since 0.2.0
 * @category assertions
 */
export const expectWalCheckpointed = (db: string): void => {
  const wal = `${db}-wal`
  expect(existsSync(wal) ? statSync(wal).size : 0, "bytes left in the write-ahead log").toBe(0)
}

/**
 * One slow POST per customer: a batch of two events (the second with
 * `context(i)`) whose body streams in `pieces` pieces, `pieceMs` apart.
 *
 * @since 0.2.0
 * @category constructors
 */
export const startSlowUploads = (options: {
  readonly baseUrl: string
  readonly tenant: ContractTenant
  readonly customers: ReadonlyArray<string>
  readonly context: (i: number) => Readonly<Record<string, unknown>>
  readonly event?: string
  readonly pieces?: number
  readonly pieceMs?: number
}): SlowUploads => {
  const { baseUrl, tenant, customers } = options
  const event = options.event ?? "ootb_user_details_update"
  const pieces = options.pieces ?? 6
  const pieceMs = options.pieceMs ?? 200
  const pulled = customers.map(() => 0)
  const uploads = customers.map(async (customer, i): Promise<SlowUpload> => {
    const text = JSON.stringify([
      { tenant: tenant.id, timestamp: "2024-05-27 10:30:00.000000 UTC", event, customer },
      { tenant: tenant.id, timestamp: "2024-05-27 10:31:00.000000 UTC", event, customer, context: options.context(i) },
    ])
    const size = Math.ceil(text.length / pieces)
    const encoder = new TextEncoder()
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        const n = pulled[i] as number
        if (n > 0) await sleep(pieceMs)
        pulled[i] = n + 1
        if (n * size >= text.length) controller.close()
        else controller.enqueue(encoder.encode(text.slice(n * size, (n + 1) * size)))
      },
    })
    const res = await fetch(urlOf(baseUrl, "/v1/events"), {
      method: "POST",
      headers: { "content-type": "application/json", ...bearer(tenant.key) },
      body,
      duplex: "half",
    } as RequestInit)
    return { status: res.status, body: (await res.json()) as { accepted: number }, at: Date.now() }
  })
  return {
    pulled,
    answers: Promise.all(uploads),
    underway: async () => {
      const deadline = Date.now() + 10_000
      while (pulled.some((n) => n < 2) && Date.now() < deadline) await sleep(10)
    },
    stillStreaming: () => pulled.filter((n) => n < pieces).length,
    expectMidStream: () => {
      expect(
        pulled.every((n) => n >= 2 && n < pieces),
        `pieces sent: ${pulled}`,
      ).toBe(true)
    },
    expectStored: async (readFrom) => {
      for (const [i, customer] of customers.entries()) {
        const profile = await getCustomer(readFrom, tenant.key, customer)
        expect(profile.status, profile.text).toBe(200)
        expect(profile.body.attributes).toEqual(options.context(i))
      }
    },
  }
}
