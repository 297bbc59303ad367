/**
 * Group commit, for any store: append calls that arrive while a commit is
 * being prepared or is in progress wait in a queue and are committed
 * together, in arrival order, by the next call of `commit`; each call settles
 * when the commit that carried it has settled (or rejects alone, when its own
 * batch failed). One durable commit then serves many requests. Reach for it
 * in a driver whose commits cost a round trip or an fsync each (the
 * PostgreSQL and SQLite stores). Runtime-free: `commit` may be synchronous
 * (same thread) or asynchronous (a database thread, a server).
 *
 * @module
 */
import type { AppendStatus, NewEvent } from "./StorePort.ts"

/**
 * The outcome of one batch of a group: its statuses, or the error that
 * rejected it (none of its writes kept).
 *
 * @since 0.2.0
 * @category models
 */
export type BatchOutcome =
  | { readonly ok: true; readonly statuses: ReadonlyArray<AppendStatus> }
  | { readonly ok: false; readonly error: unknown }

/**
 * @since 0.2.0
 * @category models
 */
export interface GroupCommitOptions {
  /**
   * Defers the first commit of an idle queue, so that calls of the same turn
   * of the event loop join it. Default: `setImmediate` where there is one
   * (after the I/O of the current turn), else `setTimeout(run, 0)`.
   */
  readonly schedule?: (run: () => void) => void
  /** Most events in one transaction (default 2000); a larger single batch still goes whole. */
  readonly maxEventsPerCommit?: number
  /**
   * Groups handed to `commit` before the first has settled (default 1: the
   * next group waits, and grows, while one commits). More suits a `commit`
   * that queues work elsewhere (a database thread that regroups what it
   * receives).
   */
  readonly maxInFlight?: number
  /**
   * Hands the queue to `commit` at once, without waiting for `schedule`,
   * when this many events wait and a group may start. Default: never.
   */
  readonly launchAt?: number
}

/**
 * @since 0.2.0
 * @category models
 */
export interface GroupCommit {
  /** Queues a batch; settles after the transaction that carries it. */
  readonly submit: (batch: ReadonlyArray<NewEvent>) => Promise<ReadonlyArray<AppendStatus>>
  /** Resolves when the queue is empty and no commit is running. */
  readonly drain: () => Promise<void>
  /** Batches waiting or being committed. */
  readonly size: () => number
}

const defaultSchedule = (): ((run: () => void) => void) => {
  const g = globalThis as {
    setImmediate?: (fn: () => void) => unknown
    setTimeout?: (fn: () => void, ms: number) => unknown
  }
  if (typeof g.setImmediate === "function") return (run) => void g.setImmediate!(run)
  if (typeof g.setTimeout === "function") return (run) => void g.setTimeout!(run, 0)
  return (run) => void Promise.resolve().then(run)
}

/**
 * Makes a group-commit queue over `commit`, which writes many batches in one
 * transaction and returns one outcome per batch. With one group in flight
 * (the default), batches commit in the order they were submitted: the later
 * of two calls is the later arrival.
 *
 * @since 0.2.0
 * @category constructors
 */
export const makeGroupCommit = (
  commit: (
    batches: ReadonlyArray<ReadonlyArray<NewEvent>>,
  ) => ReadonlyArray<BatchOutcome> | Promise<ReadonlyArray<BatchOutcome>>,
  options: GroupCommitOptions = {},
): GroupCommit => {
  interface Waiter {
    readonly batch: ReadonlyArray<NewEvent>
    readonly resolve: (statuses: ReadonlyArray<AppendStatus>) => void
    readonly reject: (error: unknown) => void
  }
  const schedule = options.schedule ?? defaultSchedule()
  const maxEvents = options.maxEventsPerCommit ?? 2000
  const maxInFlight = Math.max(1, options.maxInFlight ?? 1)
  const launchAt = options.launchAt ?? Number.POSITIVE_INFINITY
  let queuedEvents = 0
  let queue: Waiter[] = []
  let inFlight = 0
  let inFlightBatches = 0
  let scheduled = false
  const idle: Array<() => void> = []

  const takeGroup = (): Waiter[] => {
    let take = 0
    let events = 0
    while (take < queue.length && (take === 0 || events + queue[take]!.batch.length <= maxEvents)) {
      events += queue[take]!.batch.length
      take++
    }
    const group = queue.slice(0, take)
    queue = queue.slice(take)
    queuedEvents -= events
    return group
  }

  const settle = async (group: Waiter[]): Promise<void> => {
    let outcomes: ReadonlyArray<BatchOutcome>
    try {
      outcomes = await commit(group.map((w) => w.batch))
    } catch (error) {
      outcomes = group.map(() => ({ ok: false, error }))
    }
    group.forEach((waiter, i) => {
      const outcome = outcomes[i]
      if (outcome === undefined) waiter.reject(new Error("group commit returned no outcome for a batch"))
      else if (outcome.ok) waiter.resolve(outcome.statuses)
      else waiter.reject(outcome.error)
    })
  }

  /** Hands queued batches to `commit`. Calls made while a group commits join the next group. */
  const launch = (): void => {
    while (queue.length > 0 && inFlight < maxInFlight) {
      const group = takeGroup()
      inFlight++
      inFlightBatches += group.length
      void settle(group).then(() => {
        inFlight--
        inFlightBatches -= group.length
        if (queue.length > 0) launch()
        else if (inFlight === 0) for (const done of idle.splice(0)) done()
      })
    }
  }

  return {
    submit: (batch) =>
      new Promise((resolve, reject) => {
        queue.push({ batch, resolve, reject })
        queuedEvents += batch.length
        if (queuedEvents >= launchAt && inFlight < maxInFlight) launch()
        else if (!scheduled && inFlight < maxInFlight) {
          scheduled = true
          schedule(() => {
            scheduled = false
            launch()
          })
        }
      }),
    // Nothing queued and nothing committing: idle, even with a scheduled run
    // still to come (a `launchAt` launch may have emptied the queue first).
    drain: () =>
      inFlight === 0 && queue.length === 0 ? Promise.resolve() : new Promise<void>((done) => idle.push(done)),
    size: () => queue.length + inFlightBatches,
  }
}
