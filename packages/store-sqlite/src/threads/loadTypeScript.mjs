// @ts-check
/**
 * Node.js only, while the store runs from its TypeScript sources (in this
 * repository): the first module of a thread, which registers tsx and then
 * imports the thread's own module, the last argument it was started with
 * (`startThread.ts`). Node.js does not hand a loader given by `--import` to
 * the caller on to its worker threads. A published build runs the
 * compiled threads without it.
 *
 * @module
 */
import { argv } from "node:process"
import { register } from "tsx/esm/api"

const entry = argv.at(-1)
if (entry === undefined || !entry.endsWith(".ts"))
  throw new Error(`loadTypeScript.mjs: no TypeScript module given (${entry})`)
register()
await import(entry)
