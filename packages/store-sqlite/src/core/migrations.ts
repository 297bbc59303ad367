/**
 * The schema, as numbered migrations. A migration is never edited once
 * released: a change is a new migration at the end of the list. `migrate`
 * applies the missing ones in one transaction and records each in
 * `schema_migrations`, so that opening a database twice, or from two
 * processes at once, applies each exactly once.
 *
 * Layout: `tenant` leads every key and index. Events live in a rowid table,
 * so that a new row is appended at the end of the table's b-tree (rows hold
 * the whole context, about 1 KiB: too large for a WITHOUT ROWID table's
 * interior pages); `(tenant, id)` is a unique index, the dedupe key, kept
 * small. Profiles are keyed `(tenant, customer)`.
 *
 * @module
 */
import type { SqliteDriver } from "./SqliteDriver.ts"

/** @since 0.1.0 @category models */
export interface Migration {
  readonly version: number
  readonly name: string
  readonly sql: string
}

/** @since 0.1.0 @category migrations */
export const migrations: ReadonlyArray<Migration> = [
  {
    version: 1,
    name: "events and profiles",
    sql: `
      CREATE TABLE events (
        seq INTEGER PRIMARY KEY,
        tenant INTEGER NOT NULL,
        id TEXT NOT NULL,
        customer TEXT NOT NULL,
        event TEXT NOT NULL,
        timestamp TEXT NOT NULL,
        received_at TEXT NOT NULL,
        context TEXT NOT NULL
      ) STRICT;
      CREATE UNIQUE INDEX events_by_id ON events (tenant, id);
      CREATE INDEX events_by_customer ON events (tenant, customer, timestamp, id);
      CREATE TABLE profiles (
        tenant INTEGER NOT NULL,
        customer TEXT NOT NULL,
        attributes TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (tenant, customer)
      ) STRICT;
    `,
  },
  {
    version: 2,
    name: "profile values and stamps apart, as JSONB",
    // attributes { key: [value, timestamp] } (JSON text) becomes attributes
    // { key: value } and stamps { key: timestamp } (JSONB), so that an event
    // newer than its profile patches both in SQL. `-> 0` keeps each value's
    // JSON type (booleans stay booleans, numbers keep their text).
    sql: `
      CREATE TABLE profiles_v2 (
        tenant INTEGER NOT NULL,
        customer TEXT NOT NULL,
        attributes BLOB NOT NULL,
        stamps BLOB NOT NULL,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (tenant, customer)
      ) STRICT;
      INSERT INTO profiles_v2 (tenant, customer, attributes, stamps, updated_at)
        SELECT
          tenant,
          customer,
          (SELECT jsonb_group_object(key, value -> 0) FROM json_each(p.attributes)),
          (SELECT jsonb_group_object(key, value ->> 1) FROM json_each(p.attributes)),
          updated_at
        FROM profiles AS p;
      DROP TABLE profiles;
      ALTER TABLE profiles_v2 RENAME TO profiles;
    `,
  },
  {
    version: 3,
    name: "a customer's events indexed by time alone",
    // The 48-character id left the customer index: ties of one timestamp are
    // ordered by id when read (SQLite sorts only each run of equal
    // timestamps), and writes are cheaper (smaller index entries).
    sql: `
      DROP INDEX events_by_customer;
      CREATE INDEX events_by_customer ON events (tenant, customer, timestamp);
    `,
  },
  {
    version: 4,
    name: "which attributes a profile holds, as bits",
    // `attribute_keys` gives each attribute name a bit (0 to 51, first come,
    // never reassigned); `profiles.key_mask` holds the bits of the profile's
    // attributes, plus bit 52 when it holds a name without one. An event
    // that carries every attribute of a profile then replaces them without
    // `jsonb_patch`, which compares every key of the patch with the keys of
    // the target one by one. Profiles written before are NULL until their
    // next event, which merges them in code once and sets the mask.
    sql: `
      CREATE TABLE attribute_keys (
        name TEXT PRIMARY KEY,
        bit INTEGER NOT NULL UNIQUE
      ) STRICT;
      ALTER TABLE profiles ADD COLUMN key_mask INTEGER;
    `,
  },
]

/**
 * Runs `fn` in a write transaction of the driver (its own `transactionSync`, or
 * `BEGIN IMMEDIATE` ... `COMMIT`).
 *
 * @since 0.1.0
 * @category transactions
 */
export const inTransaction = <T>(driver: SqliteDriver, fn: () => T): T => {
  if (driver.transactionSync !== undefined) return driver.transactionSync(fn)
  driver.exec("BEGIN IMMEDIATE")
  try {
    const result = fn()
    driver.exec("COMMIT")
    return result
  } catch (error) {
    try {
      driver.exec("ROLLBACK")
    } catch {
      // SQLite rolls back by itself after some errors: nothing is left to undo.
    }
    throw error
  }
}

/**
 * Brings the schema up to date. Returns the versions it applied (empty when
 * there was nothing to do).
 *
 * @since 0.1.0
 * @category migrations
 */
export const migrate = (driver: SqliteDriver, list: ReadonlyArray<Migration> = migrations): number[] =>
  inTransaction(driver, () => {
    driver.exec(
      "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL) STRICT",
    )
    const row = driver.prepare("SELECT max(version) AS version FROM schema_migrations").get() as
      | { version: number | bigint | null }
      | undefined
    const current = Number(row?.version ?? 0)
    const record = driver.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)")
    const applied: number[] = []
    for (const migration of list) {
      if (migration.version <= current) continue
      driver.exec(migration.sql)
      record.run(migration.version, migration.name, new Date().toISOString())
      applied.push(migration.version)
    }
    return applied
  })
