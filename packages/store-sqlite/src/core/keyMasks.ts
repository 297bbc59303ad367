/**
 * Which attributes a profile holds, as the bits of one integer (migration
 * 4): `attribute_keys` gives each attribute name a bit, first come, never
 * reassigned; `profiles.key_mask` holds the bits of the profile's names.
 *
 * The write path uses it to skip `jsonb_patch` when an event carries every
 * attribute its profile holds (a client that sends the same form each
 * time): SQLite's merge patch looks each key of the patch up in the target
 * from its first key on, so the comparisons of labels grow with the square
 * of the event's names, twice (values and stamps): a large share of the
 * database thread's time with batches. With the masks the profile row simply
 * takes the event's values and stamps.
 *
 * Bits 0 to 51 name attributes (a mask stays an exact integer in a
 * JavaScript number, which every driver binds); bit 52 (`KEY_OVERFLOW`)
 * stands for any name past the 52nd, so that a profile holding one never
 * takes the shortcut.
 *
 * @module
 */
import type { StampPieces } from "./encodeEvents.ts"
import type { SqliteDriver } from "./SqliteDriver.ts"

/**
 * Names that get a bit of their own.
 *
 * @since 0.2.0
 * @category masks
 */
export const KEY_BITS = 52

/**
 * The bit of every name beyond the first `KEY_BITS`: 2^52.
 *
 * @since 0.2.0
 * @category masks
 */
export const KEY_OVERFLOW = 2 ** KEY_BITS

/**
 * Masks of attribute names, for one connection.
 *
 * @since 0.2.0
 * @category models
 */
export interface KeyMasks {
  /**
   * The mask of `names` (distinct), claiming bits for names without one.
   * Call inside a write transaction: a claim is part of it.
   */
  readonly of: (names: Iterable<string>) => number
  /**
   * The mask of the names of stamp pieces (`stampPieces`). The last pieces'
   * mask is kept: events of one client share their pieces, and the groups
   * of single events a database thread receives carry the same strings.
   */
  readonly ofPieces: (pieces: StampPieces) => number
  /**
   * Forgets every bit it knows. After a rollback: claims made in the
   * transaction are undone, and another name may get their bits.
   */
  readonly forget: () => void
}

interface BitRow {
  readonly name: string
  readonly bit: number | bigint
}

/**
 * Reads and claims bits through `driver`.
 *
 * @since 0.2.0
 * @category constructors
 */
export const makeKeyMasks = (driver: SqliteDriver): KeyMasks => {
  const selectBits = driver.prepare("SELECT name, bit FROM attribute_keys")
  // `WHERE true`: an INSERT ... SELECT with an upsert clause needs a WHERE (SQLite's parser).
  const claimBit = driver.prepare(
    `INSERT INTO attribute_keys (name, bit) SELECT ?, coalesce(max(bit) + 1, 0) FROM attribute_keys WHERE true HAVING coalesce(max(bit) + 1, 0) < ${KEY_BITS} ON CONFLICT (name) DO NOTHING`,
  )
  const selectBit = driver.prepare("SELECT bit FROM attribute_keys WHERE name = ?")

  /** name → bit, or -1 for a name past the last bit. Loaded at first use. */
  let bits: Map<string, number> | undefined
  let lastPieces: StampPieces | undefined
  let lastMask = 0

  const bitOf = (name: string): number => {
    if (bits === undefined) {
      bits = new Map()
      for (const row of selectBits.all() as BitRow[]) bits.set(row.name, Number(row.bit))
    }
    let bit = bits.get(name)
    if (bit === undefined) {
      claimBit.run(name)
      const row = selectBit.get(name) as { bit: number | bigint } | undefined | null
      bit = row == null ? -1 : Number(row.bit)
      bits.set(name, bit)
    }
    return bit
  }

  const of = (names: Iterable<string>): number => {
    let mask = 0
    let overflow = false
    for (const name of names) {
      const bit = bitOf(name)
      if (bit < 0) overflow = true
      else mask += 2 ** bit
    }
    return overflow ? mask + KEY_OVERFLOW : mask
  }

  /** `{"k1":`, `,"k2":`, ..., `}` (or `{}` alone): the names are the JSON strings between. */
  function* namesOf(pieces: StampPieces): Generator<string> {
    for (let i = 0; i < pieces.length - 1; i++) yield JSON.parse(pieces[i]!.slice(1, -1)) as string
  }

  /** The same names as the last pieces: the same array, or (copied to a database thread in another group) equal strings. */
  const sameAsLast = (pieces: StampPieces): boolean => {
    if (pieces === lastPieces) return true
    if (lastPieces === undefined || pieces.length !== lastPieces.length) return false
    for (let i = 0; i < pieces.length; i++) if (pieces[i] !== lastPieces[i]) return false
    return true
  }

  return {
    of,
    ofPieces: (pieces) => {
      if (!sameAsLast(pieces)) lastMask = of(namesOf(pieces))
      lastPieces = pieces
      return lastMask
    },
    forget: () => {
      bits = undefined
      lastPieces = undefined
    },
  }
}
