/**
 * What every file-backed driver does the same way before the shared core
 * takes over: create the database file's folder, open the connection with
 * the driver's own library, and hand it to `makeSqliteStore`, with every
 * failure classified (`classifySqliteError`). Uses `node:fs`, which Node.js,
 * Bun and Deno all provide.
 *
 * @module
 */
import { mkdirSync } from "node:fs"
import { dirname } from "node:path"
import { classifySqliteError } from "../core/classifySqliteError.ts"
import { faultableDriver } from "../core/faultInjection.ts"
import { isFileDatabase, type SqliteDriver } from "../core/SqliteDriver.ts"
import { makeSqliteStore, type SqliteStore, type SqliteStoreOptions } from "../core/SqliteStore.ts"

/**
 * Creates the folder of a database file (nothing for `:memory:`); a folder
 * that cannot be made is `StoreError` `unavailable`, as a file that cannot be
 * opened is.
 *
 * @since 0.2.0
 * @category files
 */
export const ensureFolder = (path: string): void => {
  if (!isFileDatabase(path)) return
  try {
    mkdirSync(dirname(path), { recursive: true })
  } catch (error) {
    throw classifySqliteError(Object.assign(error as Error, { code: "SQLITE_CANTOPEN" }))
  }
}

/**
 * Opens the store on the caller's thread: the folder, the connection
 * (`openDriver`), the core. The store owns the connection; it is closed
 * again when the core cannot open on it. With `faultInjection`, the
 * connection is wrapped and the store has `injectFault`.
 *
 * @since 0.2.0
 * @category constructors
 */
export const openSqliteStoreInThread = (
  path: string,
  openDriver: (path: string) => SqliteDriver,
  options: SqliteStoreOptions = {},
): SqliteStore => {
  ensureFolder(path)
  let driver: SqliteDriver
  try {
    driver = openDriver(path)
  } catch (error) {
    throw classifySqliteError(error)
  }
  try {
    if (options.faultInjection !== true) return makeSqliteStore(driver, options)
    const faultable = faultableDriver(driver, () => openDriver(path))
    const store = makeSqliteStore(faultable.driver, options)
    return { ...store, injectFault: async (fault) => faultable.setFault(fault) }
  } catch (error) {
    driver.close()
    throw error
  }
}
