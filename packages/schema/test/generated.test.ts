/**
 * The committed generated files (compiled validators, JSON Schemas, docs)
 * must equal what `pnpm generate` would write from the event definitions.
 */
import { existsSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { generatedFiles } from "../scripts/generatedFiles.ts"
import { eventKeys } from "../src/registry.ts"

const packageDir = join(import.meta.dirname, "..")
const files = await generatedFiles()

describe("generated files", () => {
  it("cover every event kind: validators, both JSON Schemas and the docs", () => {
    const paths = [...files.keys()]
    expect(paths).toContain("src/generated/validators.ts")
    for (const key of eventKeys) {
      expect(paths).toContain(`json-schema/${key}.schema.json`)
      expect(paths).toContain(`json-schema/${key}.draft-07.schema.json`)
      expect(paths).toContain(`docs/${key}.md`)
    }
  })

  it.each([...files])("%s is up to date (run `pnpm generate`)", (path, content) => {
    const file = join(packageDir, path)
    expect(existsSync(file), `${path} is committed`).toBe(true)
    expect(readFileSync(file, "utf8")).toBe(content)
  })
})
