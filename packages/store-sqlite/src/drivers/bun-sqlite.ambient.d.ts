/**
 * The few members of Bun's `bun:sqlite` (https://bun.sh/docs/api/sqlite)
 * that `bun-sqlite.ts` uses, so that this package type-checks for Node.js
 * without Bun's globals. Under Bun (apps/bun, with `@types/bun`) the real
 * declarations are used instead: this file is only part of this package's
 * own program.
 *
 * @module
 */
declare module "bun:sqlite" {
  type Binding = string | bigint | number | boolean | null | Uint8Array

  export interface Changes {
    changes: number
    lastInsertRowid: number | bigint
  }

  export class Statement<ReturnType = unknown, ParamsType extends Binding[] = Binding[]> {
    all(...params: ParamsType): ReturnType[]
    get(...params: ParamsType): ReturnType | null
    run(...params: ParamsType): Changes
  }

  export class Database {
    constructor(
      filename?: string,
      options?: { readonly?: boolean; create?: boolean; readwrite?: boolean; strict?: boolean },
    )
    prepare<ReturnType, ParamsType extends Binding[]>(sql: string): Statement<ReturnType, ParamsType>
    exec(sql: string): Changes
    close(throwOnError?: boolean): void
  }
}
