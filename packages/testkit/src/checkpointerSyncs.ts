/**
 * What every SQLite driver's checkpointer thread must do with the database
 * file: sync it after a pass that copied pages from the WAL, and leave it
 * alone while nothing is written (no sync every few milliseconds on an idle
 * service). Runtime-free: the caller runs the thread and a writer with its
 * own runtime's SQLite and hands in its counters.
 *
 * @module
 */
import { expect } from "vitest"

/** @since 0.2.0 @category models */
export interface CheckpointerUnderTest {
  /** Passes the thread has run so far. */
  readonly passes: () => number
  /** Syncs of the database file it has made so far. */
  readonly syncs: () => number
  /** Commits a few pages through a writer connection (WAL, no autocheckpoint of its own). */
  readonly write: () => void
}

const waitForPasses = async (c: CheckpointerUnderTest, n: number): Promise<void> => {
  const target = c.passes() + n
  const deadline = Date.now() + 20_000
  while (c.passes() < target) {
    if (Date.now() > deadline) throw new Error(`the checkpointer ran no ${n} passes in 20 s`)
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}

/**
 * Asserts: idle passes sync nothing; after writes, a pass syncs the database
 * file; idle again, no more syncs; new writes, a new sync.
 *
 * @since 0.2.0
 * @category assertions
 */
export const expectCheckpointerSyncs = async (c: CheckpointerUnderTest): Promise<void> => {
  await waitForPasses(c, 4)
  expect(c.syncs(), "idle passes copy nothing and sync nothing").toBe(0)
  c.write()
  await waitForPasses(c, 3)
  const afterWrite = c.syncs()
  expect(afterWrite, "a pass that copied pages syncs the database file").toBeGreaterThanOrEqual(1)
  await waitForPasses(c, 4)
  expect(c.syncs(), "idle again: no more syncs").toBe(afterWrite)
  c.write()
  await waitForPasses(c, 3)
  expect(c.syncs(), "new writes, a new sync").toBeGreaterThan(afterWrite)
}
