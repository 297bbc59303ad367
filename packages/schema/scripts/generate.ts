/**
 * Writes every generated file of the package from the event definitions:
 * the compiled validators, the JSON Schemas (draft 2020-12 and draft-07) and
 * the Markdown docs. `--check` writes nothing and fails when a committed file
 * is stale. Run as `pnpm generate` (or `pnpm generate --check`).
 */
import { readFile, writeFile } from "node:fs/promises"
import { join } from "node:path"
import { generatedFiles } from "./generatedFiles.ts"

const root = join(import.meta.dirname, "..")
const check = process.argv.includes("--check")
const stale: Array<string> = []
for (const [path, content] of await generatedFiles()) {
  const file = join(root, path)
  const current = await readFile(file, "utf8").catch(() => undefined)
  if (current === content) continue
  if (check) stale.push(path)
  else {
    await writeFile(file, content)
    console.log(`wrote ${path}`)
  }
}
if (stale.length > 0) {
  console.error(`stale generated files (run \`pnpm generate\`):\n  ${stale.join("\n  ")}`)
  process.exit(1)
}
if (check) console.log("generated files are up to date")
