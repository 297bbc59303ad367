/**
 * The SQLite store on Cloudflare Durable Objects with SQLite storage
 * (https://developers.cloudflare.com/durable-objects/api/sqlite-storage-api/),
 * one object per (tenant, customer), in three small parts:
 *
 * - `durableObjectDriver`: `ctx.storage.sql` as the core's `SqliteDriver`
 *   (`sql.exec` per statement, `rowsWritten` as `changes`,
 *   `ctx.storage.transactionSync` for transactions, no pragmas).
 * - `serveIngestObject`: what each object answers over RPC, on the shared
 *   core; failures come back as values, since RPC keeps only an error's
 *   message.
 * - `makeDurableObjectStore`: the Worker's `IngestStore`: splits a batch by
 *   customer, calls each customer's object in parallel and puts the
 *   statuses back in the events' order. A batch is atomic per customer, not
 *   as a whole.
 *
 * - `makeIngestObjectClass`: the Worker's Durable Object class, on the
 *   runtime's `DurableObject` base class, which the Worker hands in.
 *
 * Runtime-free: the Durable Object types are structural, and the one class
 * that must extend `DurableObject` from `cloudflare:workers` gets it as an
 * argument.
 *
 * @module
 */
import type { AppendStatus, EventPage, IngestStore, NewEvent, Profile } from "@cdp/store"
import { StoreError } from "@cdp/store"
import { type EncodedEvents, encodeBatches } from "../core/encodeEvents.ts"
import { openSqliteCore, type SqliteCore } from "../core/SqliteCore.ts"
import type { SqliteDriver, SqlValue } from "../core/SqliteDriver.ts"

/**
 * The part of a Durable Object's `ctx.storage` the store uses.
 *
 * @since 0.2.0
 * @category models
 */
export interface DurableObjectSqlStorage {
  readonly sql: {
    exec(query: string, ...bindings: Array<unknown>): { toArray(): Array<unknown>; readonly rowsWritten: number }
  }
  transactionSync<T>(fn: () => T): T
  deleteAll(): Promise<void>
}

/**
 * Durable Objects' SQL errors say their code only at the end of the message,
 * with the extended code when it differs (`database or disk is full:
 * SQLITE_FULL`, `disk I/O error: SQLITE_IOERR (extended: SQLITE_IOERR_WRITE)`).
 */
const sqliteCodeAtEnd = /:\s*(SQLITE_[A-Z_]+)(?:\s*\(extended:\s*(SQLITE_[A-Z_]+)\))?\s*$/

/** Gives the classifier the code of a Durable Object's SQL error: the extended one when the message has it. */
const withCode = (error: unknown): unknown => {
  if (error instanceof Error && !("code" in error)) {
    const found = sqliteCodeAtEnd.exec(error.message)
    const code = found?.[2] ?? found?.[1]
    if (code !== undefined) {
      try {
        Object.assign(error, { code })
      } catch {
        return Object.assign(new Error(error.message, { cause: error }), { code })
      }
    }
  }
  return error
}

/**
 * A Durable Object's SQL storage as the core's driver. `close` does nothing:
 * the storage belongs to the object.
 *
 * @since 0.2.0
 * @category drivers
 */
export const durableObjectDriver = (storage: DurableObjectSqlStorage): SqliteDriver => {
  const exec = (query: string, params: ReadonlyArray<SqlValue>) => {
    try {
      const cursor = storage.sql.exec(query, ...params)
      return { rows: cursor.toArray(), changes: cursor.rowsWritten }
    } catch (error) {
      throw withCode(error)
    }
  }
  return {
    prepare: (query) => ({
      run: (...params) => ({ changes: exec(query, params).changes }),
      get: (...params) => exec(query, params).rows[0],
      all: (...params) => exec(query, params).rows,
    }),
    exec: (query) => {
      exec(query, [])
    },
    close: () => {},
    transactionSync: (fn) => storage.transactionSync(fn),
  }
}

/**
 * Opens the shared core on a Durable Object's storage (migrations on first
 * use, no pragmas: the host manages them).
 *
 * @since 0.2.0
 * @category constructors
 */
export const openDurableObjectSqliteCore = (storage: DurableObjectSqlStorage): SqliteCore =>
  openSqliteCore(durableObjectDriver(storage), { pragmas: false })

/**
 * An object's answer: a value, or the `StoreError` it failed with.
 *
 * @since 0.2.0
 * @category models
 */
export type IngestObjectReply<A> =
  | { readonly ok: true; readonly value: A }
  | { readonly ok: false; readonly code: StoreError["code"]; readonly message: string }

/**
 * What each object answers over RPC. The Durable Object class
 * (`makeIngestObjectClass`) has one method per entry, each handing its
 * arguments to `serveIngestObject`.
 *
 * @since 0.2.0
 * @category models
 */
export interface IngestObjectApi {
  /** One batch of the object's customer, encoded (`encodeBatches`): strings, numbers and stamp pieces cross RPC as they are. */
  append(batch: EncodedEvents): IngestObjectReply<ReadonlyArray<AppendStatus>>
  getProfile(tenant: number, customer: string): IngestObjectReply<Profile | undefined>
  listEvents(tenant: number, customer: string, limit: number, cursor: string | undefined): IngestObjectReply<EventPage>
  eraseCustomer(tenant: number, customer: string): Promise<IngestObjectReply<boolean>>
  ping(): IngestObjectReply<null>
}

const reply = <A>(fn: () => A): IngestObjectReply<A> => {
  try {
    return { ok: true, value: fn() }
  } catch (error) {
    if (error instanceof StoreError) return { ok: false, code: error.code, message: error.message }
    throw error
  }
}

/**
 * The object's side, on its storage: every write is a `transactionSync` of
 * the core, and the object's output gate holds the answer until it is
 * durable. Erasing drops the object's whole storage (`deleteAll`).
 *
 * @since 0.2.0
 * @category constructors
 */
export const serveIngestObject = (storage: DurableObjectSqlStorage): IngestObjectApi => {
  let core: SqliteCore | undefined
  const open = (): SqliteCore => {
    core ??= openDurableObjectSqliteCore(storage)
    return core
  }
  return {
    append: (batch) =>
      reply(() => {
        const outcome = open().commitEncoded([batch])[0]!
        if (!outcome.ok) throw outcome.error
        return outcome.statuses
      }),
    getProfile: (tenant, customer) => reply(() => open().getProfile(tenant, customer)),
    listEvents: (tenant, customer, limit, cursor) => reply(() => open().listEvents(tenant, customer, limit, cursor)),
    eraseCustomer: async (tenant, customer) => {
      const erased = reply(() => open().eraseCustomer(tenant, customer))
      if (erased.ok) {
        core = undefined
        await storage.deleteAll()
      }
      return erased
    },
    ping: () =>
      reply(() => {
        open().ping()
        return null
      }),
  }
}

/**
 * The part of the state a Durable Object's constructor receives that the
 * store uses (`DurableObjectState` on Workers).
 *
 * @since 0.3.0
 * @category models
 */
export interface IngestObjectState {
  readonly storage: DurableObjectSqlStorage
}

/**
 * A base class for `makeIngestObjectClass`. TypeScript takes a mixin's base
 * only as `new (...args: any[])`; that the first argument is the state is
 * checked by `StateFirst`.
 *
 * @since 0.3.0
 * @category models
 */
// biome-ignore lint/suspicious/noExplicitAny: the one constructor type a mixin may extend (TS2545)
export type DurableObjectBase = abstract new (...args: Array<any>) => object

/** `unknown` when `Base`'s constructor takes an object's state first; otherwise a type no class satisfies. */
type StateFirst<Base extends DurableObjectBase> = ConstructorParameters<Base>[0] extends IngestObjectState
  ? unknown
  : { readonly "the constructor's first argument must be a Durable Object's state": never }

/**
 * The Durable Object class of the ingest objects: `Base` (the runtime's
 * `DurableObject`, e.g. `makeIngestObjectClass(DurableObject<Env>)`) with
 * one prototype method per entry of `IngestObjectApi` (Workers RPC calls
 * prototype methods only), each served by `serveIngestObject` on the
 * storage of the state the constructor receives: `Base` keeps its `ctx`
 * protected, so the state is taken from the constructor's arguments.
 *
 * @since 0.3.0
 * @category constructors
 */
export const makeIngestObjectClass = <Base extends DurableObjectBase>(
  Base: Base & StateFirst<Base>,
  // biome-ignore lint/suspicious/noExplicitAny: as a mixin's type (`new (...args: any[]) => T`), TypeScript keeps Base's constructor
): Base & (abstract new (...args: Array<any>) => IngestObjectApi) => {
  abstract class IngestObjectRpc extends Base implements IngestObjectApi {
    readonly #api: IngestObjectApi
    // biome-ignore lint/suspicious/noExplicitAny: a mixin class's constructor must take `...args: any[]` (TS2545)
    constructor(...args: Array<any>) {
      super(...args)
      this.#api = serveIngestObject((args[0] as IngestObjectState).storage)
    }
    append(batch: EncodedEvents) {
      return this.#api.append(batch)
    }
    getProfile(tenant: number, customer: string) {
      return this.#api.getProfile(tenant, customer)
    }
    listEvents(tenant: number, customer: string, limit: number, cursor: string | undefined) {
      return this.#api.listEvents(tenant, customer, limit, cursor)
    }
    eraseCustomer(tenant: number, customer: string) {
      return this.#api.eraseCustomer(tenant, customer)
    }
    ping() {
      return this.#api.ping()
    }
  }
  return IngestObjectRpc
}

/**
 * The RPC stub of an object, as the Worker sees it.
 *
 * @since 0.2.0
 * @category models
 */
export type IngestObjectStub = {
  readonly [K in keyof IngestObjectApi]: (
    ...args: Parameters<IngestObjectApi[K]>
  ) => Promise<Awaited<ReturnType<IngestObjectApi[K]>>>
}

/**
 * The part of a Durable Object namespace binding the store uses.
 *
 * @since 0.2.0
 * @category models
 */
export interface IngestObjectNamespace<Id = unknown> {
  idFromName(name: string): Id
  get(id: Id): IngestObjectStub
}

/** The object of a customer: one per (tenant, customer). */
const objectName = (tenant: number, customer: string): string => `${tenant}:${customer}`

/** The object `ping` asks: any object would do; this one holds nothing. */
const HEALTH_OBJECT = "health"

/**
 * @since 0.2.0
 * @category models
 */
export interface DurableObjectStoreOptions {
  /**
   * `"per-store"` (default): one stub per object for the life of the store,
   * for a store used within one request (a test, a script, a scheduled
   * run); each object's calls, concurrent ones included, take effect in the
   * order they were made: the store sends an object's next call once the
   * one before it has answered. `"per-call"`: a fresh stub for every call,
   * for a store that serves many requests (a Worker's), since Workers
   * cannot use a stub across requests; concurrent calls to one object then
   * have no order among them (the HTTP app makes none within a request),
   * and none waits for another.
   */
  readonly stubs?: "per-store" | "per-call"
}

/**
 * The Worker's `IngestStore` over a namespace of ingest objects. Failures
 * to reach an object, and the objects' own `StoreError`s, reject with
 * `StoreError`; a batch whose customers' objects partly fail rejects as a
 * whole, while the customers already written stay written (a retry answers
 * them `duplicate`).
 *
 * @since 0.2.0
 * @category constructors
 */
export const makeDurableObjectStore = <Id>(
  namespace: IngestObjectNamespace<Id>,
  options: DurableObjectStoreOptions = {},
): IngestStore => {
  const pending = new Set<Promise<unknown>>()
  const stubs = options.stubs === "per-call" ? undefined : new Map<string, IngestObjectStub>()
  /**
   * Per object, the settling of its last call (per-store only). A stub's
   * calls leave in order, but delivery need not keep it: the vitest pool's
   * object wrapper awaits module loading before handing each call over, so
   * a later call can overtake an earlier one. Waiting for the answer holds
   * the order whatever the delivery.
   */
  const tails = stubs === undefined ? undefined : new Map<string, Promise<void>>()
  let closed = false

  const stubOf = (name: string): IngestObjectStub => {
    let stub = stubs?.get(name)
    if (stub === undefined) {
      stub = namespace.get(namespace.idFromName(name))
      stubs?.set(name, stub)
    }
    return stub
  }

  const call = async <A>(name: string, fn: (stub: IngestObjectStub) => Promise<IngestObjectReply<A>>): Promise<A> => {
    if (closed) throw new StoreError("unavailable", "the Durable Object store is closed")
    const previous = tails?.get(name)
    const run = (async () => {
      if (previous !== undefined) await previous
      let answer: IngestObjectReply<A>
      try {
        answer = await fn(stubOf(name))
      } catch (error) {
        // A stub that threw is broken for good: the next call gets a new one.
        stubs?.delete(name)
        const e = error as { remote?: unknown; retryable?: unknown; overloaded?: unknown; message?: unknown }
        // Thrown by the object's code itself (not by the platform): a bug, not an outage.
        if (e?.remote === true && e.retryable !== true && e.overloaded !== true) throw error
        throw new StoreError("unavailable", `Durable Object ${name} did not answer: ${String(e?.message ?? e)}`, {
          cause: error,
        })
      }
      if (answer.ok) return answer.value
      throw new StoreError(answer.code, answer.message)
    })()
    if (tails !== undefined) {
      const settled = run.then(
        () => {},
        () => {},
      )
      tails.set(name, settled)
      void settled.then(() => {
        if (tails.get(name) === settled) tails.delete(name)
      })
    }
    pending.add(run)
    try {
      return await run
    } finally {
      pending.delete(run)
    }
  }

  return {
    append: async (events) => {
      if (closed) throw new StoreError("unavailable", "the Durable Object store is closed")
      const groups = new Map<string, { events: Array<NewEvent>; at: Array<number> }>()
      events.forEach((event, i) => {
        const name = objectName(event.tenant, event.customer)
        let group = groups.get(name)
        if (group === undefined) {
          group = { events: [], at: [] }
          groups.set(name, group)
        }
        group.events.push(event)
        group.at.push(i)
      })
      const statuses = new Array<AppendStatus>(events.length)
      const outcomes = await Promise.allSettled(
        [...groups].map(async ([name, group]) => {
          const encoded = encodeBatches([group.events])
          const written = await call(name, (stub) => stub.append(encoded))
          written.forEach((status, k) => {
            statuses[group.at[k]!] = status
          })
        }),
      )
      const failed = outcomes.find((o) => o.status === "rejected")
      if (failed !== undefined) throw failed.reason
      return statuses
    },
    getProfile: (tenant, customer) => call(objectName(tenant, customer), (stub) => stub.getProfile(tenant, customer)),
    listEvents: (tenant, customer, { limit, cursor }) =>
      call(objectName(tenant, customer), (stub) => stub.listEvents(tenant, customer, limit, cursor)),
    eraseCustomer: (tenant, customer) =>
      call(objectName(tenant, customer), (stub) => stub.eraseCustomer(tenant, customer)),
    ping: async () => {
      await call(HEALTH_OBJECT, (stub) => stub.ping())
    },
    close: async () => {
      closed = true
      while (pending.size > 0) await Promise.allSettled([...pending])
    },
  }
}
