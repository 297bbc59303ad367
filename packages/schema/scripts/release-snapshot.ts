/**
 * Records the JSON Schemas of a release: copies `json-schema/*.schema.json`
 * into `released/`, the baseline that the breaking-change guard
 * (`scripts/checkBreaking.ts`, `test/breaking.test.ts`) compares the current
 * schemas with.
 *
 * Run it when cutting a release, after the version bump, so that the
 * snapshot carries the new version in its `$id`:
 *
 *   pnpm changeset version                                    # bumps @cdp/schema
 *   pnpm generate                                             # $id and x-schema-version follow the version
 *   pnpm --filter @cdp/schema exec tsx scripts/release-snapshot.ts
 *   git add packages/schema/released && git commit
 *
 * It refuses to snapshot stale files (run `pnpm generate` first). The copies
 * are formatted with Biome so that `biome check .` stays clean.
 */
import { spawnSync } from "node:child_process"
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { generatedFiles } from "./generatedFiles.ts"

const packageDir = join(import.meta.dirname, "..")
const from = join(packageDir, "json-schema")
const to = join(packageDir, "released")

const files = readdirSync(from).filter((f) => f.endsWith(".schema.json"))
const generated = await generatedFiles()
const stale = files.filter((f) => generated.get(`json-schema/${f}`) !== readFileSync(join(from, f), "utf8"))
if (stale.length > 0) {
  console.error(`stale generated schemas (run \`pnpm generate\` first): ${stale.join(", ")}`)
  process.exit(1)
}
mkdirSync(to, { recursive: true })
for (const f of files) {
  copyFileSync(join(from, f), join(to, f))
  console.log(`released/${f}`)
}
const biome = join(packageDir, "..", "..", "node_modules", ".bin", "biome")
if (existsSync(biome)) {
  const r = spawnSync(biome, ["format", "--write", ...files.map((f) => join(to, f))], { stdio: "inherit" })
  if (r.status !== 0) process.exit(r.status ?? 1)
} else console.warn("biome not found: format released/ with `pnpm format` before committing")
