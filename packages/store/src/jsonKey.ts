/**
 * `"key":` as JSON writes an object key, kept for the keys met so far:
 * the hot paths that write JSON by hand (event ids, the stores' stamps) see
 * the same few dozen parameter names again and again. Runtime-free.
 *
 * @module
 */

const quoted = new Map<string, string>()
/** Keys come from the event definitions; the bound keeps stray keys from growing the map. */
const MAX_KEPT = 4096

/**
 * `JSON.stringify(key) + ":"`, from a bounded cache.
 *
 * @since 0.2.0
 * @category json
 */
export const jsonKey = (key: string): string => {
  let prefix = quoted.get(key)
  if (prefix === undefined) {
    prefix = `${JSON.stringify(key)}:`
    if (quoted.size < MAX_KEPT) quoted.set(key, prefix)
  }
  return prefix
}
