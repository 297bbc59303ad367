/**
 * The breaking-change guard as the command `npm test` runs (`pnpm check`
 * runs the package's `check:breaking` script), put through narrowing changes
 * of the event in a scratch copy of the package: each is regenerated
 * (`generate` script), refused with only a minor changeset, in a message
 * that names it, not excused by a major changeset of another package, and
 * let through by a major changeset of `@cdp/schema`.
 *
 * The scripts run as pnpm runs them (`sh -c` with the workspace's binaries
 * on PATH) but without pnpm: pnpm checks and installs the dependencies of
 * the workspace it runs in before a script, and the scratch copy borrows the
 * real package's node_modules by symlink.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { packageDir } from "./support/ajv.ts"
import { repoRoot, runScript } from "./support/packageScripts.ts"

const eventFile = join("src", "events", "ootb_user_details_update.ts")
const schemaFile = join("json-schema", "ootb_user_details_update.schema.json")

/**
 * A copy of what the guard and the generator read: the workspace root's
 * `tsconfig.base.json` and `.changeset/config.json`, and the package's
 * sources, scripts, released and generated files; node_modules is the real
 * package's, by symlink.
 */
const scratchCopy = (): { root: string; pkg: string } => {
  const root = mkdtempSync(join(tmpdir(), "cdp-schema-guard-"))
  const pkg = join(root, "packages", "schema")
  mkdirSync(pkg, { recursive: true })
  mkdirSync(join(root, ".changeset"))
  cpSync(join(repoRoot, "tsconfig.base.json"), join(root, "tsconfig.base.json"))
  cpSync(join(repoRoot, ".changeset", "config.json"), join(root, ".changeset", "config.json"))
  for (const entry of ["package.json", "tsconfig.json", "scripts", "src", "released", "json-schema", "docs"])
    cpSync(join(packageDir, entry), join(pkg, entry), { recursive: true })
  symlinkSync(join(packageDir, "node_modules"), join(pkg, "node_modules"), "dir")
  return { root, pkg }
}

/** Leaves exactly these changesets in the scratch copy's `.changeset/` (besides config.json). */
const changesets = (root: string, bumps: Record<string, Record<string, "major" | "minor" | "patch">>) => {
  const dir = join(root, ".changeset")
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(dir)
  cpSync(join(repoRoot, ".changeset", "config.json"), join(dir, "config.json"))
  for (const [name, packages] of Object.entries(bumps)) {
    const front = Object.entries(packages).map(([p, bump]) => `"${p}": ${bump}`)
    writeFileSync(join(dir, `${name}.md`), `---\n${front.join("\n")}\n---\n\nA change.\n`)
  }
}

/** Narrowing edits of the event's source, and the line the guard must print for each. */
const narrowings: ReadonlyArray<{
  readonly label: string
  readonly from: string
  readonly to: string
  readonly names: string
}> = [
  {
    label: "a value dropped from a oneOf",
    from: 'oneOf(["Started", "Completed", "Failed"], {',
    to: 'oneOf(["Started", "Completed"], {',
    names: 'enum_value_removed at /properties/context/properties/ootb_status/enum: enum value "Failed" removed',
  },
  {
    label: "a shorter limit",
    from: 'ootb_city: text({ description: "Customer\'s city.", example: "NYC", classification: enrichment }),',
    to: 'ootb_city: { ...text({ description: "Customer\'s city.", example: "NYC", classification: enrichment }), maxLength: 100 },',
    names: "limit_lowered at /properties/context/properties/ootb_city/maxLength: maxLength lowered from 255 to 100",
  },
  {
    label: "a parameter made mandatory",
    from: 'example: "product page",\n      classification: optional,',
    to: 'example: "product page",\n      classification: mandatory,',
    names: 'required_added at /properties/context/required: property "ootb_registration_source" is now required',
  },
]

describe("the check:breaking command on a scratch copy of the package", () => {
  let scratch: { root: string; pkg: string }
  const original = readFileSync(join(packageDir, eventFile), "utf8")

  beforeAll(() => {
    scratch = scratchCopy()
  })
  afterAll(() => {
    if (scratch !== undefined) rmSync(scratch.root, { recursive: true, force: true })
  })

  it("passes on the unchanged copy, without any changeset", async () => {
    changesets(scratch.root, {})
    const outcome = await runScript(scratch.pkg, "check:breaking")
    expect(outcome, outcome.stderr).toMatchObject({ status: 0, stdout: "no breaking changes against released/\n" })
  })

  it.each(narrowings)(
    "refuses $label with a minor changeset, naming it; only a major one of @cdp/schema lets it through",
    async ({ from, to, names }) => {
      expect(original).toContain(from)
      const edited = original.replace(from, to).replace("import { channel,", "import { channel, mandatory,")
      writeFileSync(join(scratch.pkg, eventFile), edited)
      const generated = await runScript(scratch.pkg, "generate")
      expect(generated.status, generated.stderr).toBe(0)
      expect(readFileSync(join(scratch.pkg, schemaFile), "utf8")).not.toBe(
        readFileSync(join(packageDir, schemaFile), "utf8"),
      )

      changesets(scratch.root, { "a-minor": { "@cdp/schema": "minor" } })
      const minor = await runScript(scratch.pkg, "check:breaking")
      expect(minor.status).toBe(1)
      expect(minor.stderr).toContain(`ootb_user_details_update.schema.json:\n  ${names}\n`)
      expect(minor.stderr).toContain('they need a changeset with "@cdp/schema": major')

      changesets(scratch.root, {
        "a-minor": { "@cdp/schema": "minor" },
        "another-major": { "@cdp/ingest": "major", "@cdp/store-sqlite": "major" },
      })
      const elsewhere = await runScript(scratch.pkg, "check:breaking")
      expect(elsewhere.status).toBe(1)
      expect(elsewhere.stderr).toContain(names)

      changesets(scratch.root, { "a-minor": { "@cdp/ingest": "minor" }, "the-major": { "@cdp/schema": "major" } })
      const major = await runScript(scratch.pkg, "check:breaking")
      expect(major, major.stderr).toMatchObject({ status: 0, stderr: "" })
      expect(major.stdout).toContain(names)
      expect(major.stdout).toContain("breaking changes are covered by a major changeset of @cdp/schema")
    },
  )
})

describe("the check:breaking command in the workspace", () => {
  it("is a step of `pnpm check`, which `npm test` runs", () => {
    const root = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as {
      scripts: Record<string, string>
    }
    expect(root.scripts.test).toContain("pnpm run check &&")
    expect(root.scripts.check?.split(" && ")).toContain("pnpm run check:breaking")
    expect(root.scripts["check:breaking"]).toBe("pnpm --filter @cdp/schema check:breaking")
  })
})
