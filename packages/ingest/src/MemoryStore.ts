/**
 * An `IngestStore` held in memory: for unit tests and local experiments, never
 * for data that matters (nothing survives the process). It follows the port
 * to the letter, so that it passes the same conformance suite as the durable
 * drivers. Runtime-free.
 *
 * @module
 */
import {
  type AppendStatus,
  applyToProfile,
  attributesOf,
  decodeCursor,
  type EventPage,
  emptyProfileState,
  encodeCursor,
  type IngestStore,
  type NewEvent,
  type Profile,
  type ProfileState,
  type StoredEvent,
  StoreError,
} from "@cdp/store"

/**
 * Options of `makeMemoryStore`.
 *
 * @since 0.1.0
 * @category models
 */
export interface MemoryStoreOptions {
  /**
   * Called before each new (not duplicate) event of a batch is written. A
   * throw fails the whole batch and writes none of it: tests use it to inject
   * a failure in the middle of a batch.
   */
  readonly beforeWrite?: (event: NewEvent) => void
}

interface Customer {
  state: ProfileState
  /** The customer's events by id. */
  readonly events: Map<string, StoredEvent>
}

/** Newest timestamp first, ties: greatest id first. */
const newestFirst = (a: StoredEvent, b: StoredEvent): number =>
  a.timestamp === b.timestamp ? (a.id < b.id ? 1 : a.id > b.id ? -1 : 0) : a.timestamp < b.timestamp ? 1 : -1

const copyState = (state: ProfileState): ProfileState => ({
  attributes: Object.assign(Object.create(null), state.attributes),
  updatedAt: state.updatedAt,
})

/**
 * Makes an empty in-memory store.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeMemoryStore = (options: MemoryStoreOptions = {}): IngestStore => {
  /** tenant -> customer -> data */
  const customers = new Map<number, Map<string, Customer>>()
  /** tenant -> event id -> customer: the dedupe index. */
  const eventIds = new Map<number, Map<string, string>>()
  let closed = false

  const ensureOpen = (): void => {
    if (closed) throw new StoreError("unavailable", "the memory store is closed")
  }
  const customerOf = (tenant: number, customer: string): Customer | undefined => customers.get(tenant)?.get(customer)

  const append = async (events: ReadonlyArray<NewEvent>): Promise<ReadonlyArray<AppendStatus>> => {
    ensureOpen()
    // Stage every change, then apply them all at once: a throw leaves nothing.
    const staged = new Map<string, { tenant: number; customer: string; state: ProfileState; added: StoredEvent[] }>()
    const newIds = new Set<string>()
    const statuses: AppendStatus[] = []
    for (const event of events) {
      const idKey = `${event.tenant}\u0000${event.id}`
      if (eventIds.get(event.tenant)?.has(event.id) || newIds.has(idKey)) {
        statuses.push("duplicate")
        continue
      }
      options.beforeWrite?.(event)
      newIds.add(idKey)
      const customerKey = `${event.tenant}\u0000${event.customer}`
      let entry = staged.get(customerKey)
      if (entry === undefined) {
        const existing = customerOf(event.tenant, event.customer)
        entry = {
          tenant: event.tenant,
          customer: event.customer,
          state: existing === undefined ? emptyProfileState() : copyState(existing.state),
          added: [],
        }
        staged.set(customerKey, entry)
      }
      applyToProfile(entry.state, event)
      entry.added.push({
        id: event.id,
        event: event.event,
        timestamp: event.timestamp,
        received_at: event.receivedAt,
        context: { ...event.context },
      })
      statuses.push("accepted")
    }
    for (const { tenant, customer, state, added } of staged.values()) {
      const byCustomer = customers.get(tenant) ?? new Map<string, Customer>()
      customers.set(tenant, byCustomer)
      const ids = eventIds.get(tenant) ?? new Map<string, string>()
      eventIds.set(tenant, ids)
      const data = byCustomer.get(customer) ?? { state, events: new Map<string, StoredEvent>() }
      byCustomer.set(customer, data)
      data.state = state
      for (const stored of added) {
        data.events.set(stored.id, stored)
        ids.set(stored.id, customer)
      }
    }
    return statuses
  }

  const getProfile = async (tenant: number, customer: string): Promise<Profile | undefined> => {
    ensureOpen()
    const data = customerOf(tenant, customer)
    if (data === undefined) return undefined
    return { tenant, customer, attributes: attributesOf(data.state), updated_at: data.state.updatedAt }
  }

  const listEvents = async (
    tenant: number,
    customer: string,
    { limit: requested, cursor }: { readonly limit: number; readonly cursor?: string | undefined },
  ): Promise<EventPage> => {
    ensureOpen()
    const limit = Math.max(1, Math.floor(requested) || 1)
    const after = cursor === undefined ? undefined : decodeCursor(cursor)
    const data = customerOf(tenant, customer)
    if (data === undefined) return { events: [], next: null }
    let all = [...data.events.values()].sort(newestFirst)
    if (after !== undefined) {
      all = all.filter((e) => e.timestamp < after.timestamp || (e.timestamp === after.timestamp && e.id < after.id))
    }
    const page = all.slice(0, limit).map((e) => ({ ...e, context: { ...e.context } }))
    const last = page[page.length - 1]
    const next = all.length > limit && last !== undefined ? encodeCursor(last) : null
    return { events: page, next }
  }

  const eraseCustomer = async (tenant: number, customer: string): Promise<boolean> => {
    ensureOpen()
    const data = customerOf(tenant, customer)
    if (data === undefined) return false
    const ids = eventIds.get(tenant)
    for (const id of data.events.keys()) ids?.delete(id)
    customers.get(tenant)?.delete(customer)
    return true
  }

  return {
    append,
    getProfile,
    listEvents,
    eraseCustomer,
    ping: async () => ensureOpen(),
    close: async () => {
      closed = true
    },
  }
}
