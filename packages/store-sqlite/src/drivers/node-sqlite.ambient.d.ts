/**
 * The members of `node:sqlite` (https://nodejs.org/api/sqlite.html) that
 * `node-sqlite.ts` uses, for type-checking under the repo's Node.js 20 types,
 * which predate the module (Node.js 22.5+ and Deno 2.2+ ship it).
 */
declare module "node:sqlite" {
  type SQLInputValue = null | number | bigint | string | Uint8Array
  interface StatementResultingChanges {
    changes: number | bigint
    lastInsertRowid: number | bigint
  }
  class StatementSync {
    run(...params: SQLInputValue[]): StatementResultingChanges
    get(...params: SQLInputValue[]): Record<string, unknown> | undefined
    all(...params: SQLInputValue[]): Array<Record<string, unknown>>
  }
  class DatabaseSync {
    constructor(path: string, options?: { readonly open?: boolean; readonly readOnly?: boolean })
    prepare(sql: string): StatementSync
    exec(sql: string): void
    close(): void
  }
}
