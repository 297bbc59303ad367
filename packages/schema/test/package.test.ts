/**
 * What is published: builds and packs the package (`pnpm pack`, which
 * applies `publishConfig` and runs `prepack`, the build), checks the
 * tarball's files, runs publint and arethetypeswrong on it, and uses the
 * packed package from a fresh project: imports, types and the `cdp-schema`
 * bin. The slowest test of the package.
 */
import { execFile as execFileCallback } from "node:child_process"
import { existsSync } from "node:fs"
import { mkdir, mkdtemp, readFile, realpath, rm, symlink, writeFile } from "node:fs/promises"
import { createRequire } from "node:module"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { promisify } from "node:util"
import { publint } from "publint"
import { formatMessage } from "publint/utils"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import pkg from "../package.json" with { type: "json" }

const execFile = promisify(execFileCallback)
const root = join(import.meta.dirname, "..")
const workspace = join(root, "..", "..")
const require = createRequire(import.meta.url)

interface Run {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

/** Runs a program to its end; a non-zero exit is an outcome, not an exception. */
const run = async (
  file: string,
  args: ReadonlyArray<string>,
  options: { cwd?: string; stdin?: string } = {},
): Promise<Run> => {
  const child = execFile(file, [...args], { cwd: options.cwd ?? root, maxBuffer: 64 * 1024 * 1024 })
  if (options.stdin !== undefined) child.child.stdin?.end(options.stdin)
  try {
    const { stdout, stderr } = await child
    return { code: 0, stdout, stderr }
  } catch (e) {
    const error = e as { code?: unknown; stdout?: string; stderr?: string }
    if (typeof error.code !== "number") throw e
    return { code: error.code, stdout: error.stdout ?? "", stderr: error.stderr ?? "" }
  }
}

const pnpm = existsSync(join(workspace, "node_modules", ".bin", "pnpm"))
  ? join(workspace, "node_modules", ".bin", "pnpm")
  : "pnpm"

let tmp = ""
let tarball = ""
let files: Array<string> = []
let consumer = ""
let installed = ""

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), "cdp-schema-pack-"))
  const packed = await run(pnpm, ["pack", "--pack-destination", tmp])
  expect(packed.code, packed.stderr + packed.stdout).toBe(0)
  tarball = join(tmp, `cdp-schema-${pkg.version}.tgz`)
  const list = await run("tar", ["-tzf", tarball])
  files = list.stdout
    .split("\n")
    .filter((f) => f !== "")
    .map((f) => f.replace(/^package\//, ""))
    .sort()

  // A fresh project that has installed the tarball; effect is its dependency.
  consumer = join(tmp, "consumer")
  installed = join(consumer, "node_modules", "@cdp", "schema")
  await mkdir(installed, { recursive: true })
  await run("tar", ["-xzf", tarball, "-C", installed, "--strip-components=1"])
  await symlink(await realpath(join(root, "node_modules", "effect")), join(consumer, "node_modules", "effect"), "dir")
  await writeFile(join(consumer, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }))
}, 120_000)

afterAll(async () => {
  if (tmp !== "") await rm(tmp, { recursive: true, force: true })
})

/** The usage example of the README: its first TypeScript block. */
const readmeExample = async (): Promise<string> => {
  const readme = await readFile(join(root, "README.md"), "utf8")
  const block = /## Usage[\s\S]*?```ts\n([\s\S]*?)```/.exec(readme)?.[1]
  if (block === undefined) throw new Error("README.md has no ```ts block under ## Usage")
  return block
}

const event = {
  tenant: 567,
  timestamp: "2024-05-27T10:30:00Z",
  event: "ootb_user_details_update",
  customer: "customerId1",
  context: { ootb_email: "john.doe@example.com", ootb_allow_email: "Yes" },
}

describe.concurrent("the published package", () => {
  it("holds dist, bin, json-schema, docs, README and package.json; no sources or tests", async () => {
    for (const f of [
      "package.json",
      "README.md",
      "bin/cdp-schema.mjs",
      "dist/index.js",
      "dist/index.d.ts",
      "dist/cli.js",
      "dist/generated/validators.js",
      "json-schema/ootb_user_details_update.schema.json",
      "json-schema/ootb_user_details_update.draft-07.schema.json",
      "docs/ootb_user_details_update.md",
    ])
      expect(files).toContain(f)
    const allowed = /^(package\.json|README\.md|CHANGELOG\.md|LICENSE|bin\/|dist\/|json-schema\/|docs\/)/
    expect(files.filter((f) => !allowed.test(f))).toEqual([])
    expect(files.filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts"))).toEqual([])
    for (const js of files.filter((f) => f.startsWith("dist/") && f.endsWith(".js")))
      expect(files).toContain(js.replace(/\.js$/, ".d.ts"))
  })

  it("points exports at dist, and every module of dist loads", async () => {
    const manifest = JSON.parse(await readFile(join(installed, "package.json"), "utf8"))
    expect(manifest.exports["."]).toEqual({ types: "./dist/index.d.ts", default: "./dist/index.js" })
    expect(manifest.bin).toEqual({ "cdp-schema": "./bin/cdp-schema.mjs" })
    expect(JSON.stringify(manifest.exports)).not.toContain("src/")
    // Loading each module proves its imports resolve (.js specifiers, the
    // JSON import of package.json) from the installed package.
    const modules = files.filter((f) => f.startsWith("dist/") && f.endsWith(".js"))
    await writeFile(
      join(consumer, "load-all.mjs"),
      `for (const m of ${JSON.stringify(modules)}) await import(\`./node_modules/@cdp/schema/\${m}\`)\nconsole.log("loaded")\n`,
    )
    const result = await run(process.execPath, ["load-all.mjs"], { cwd: consumer })
    expect(result.stderr).toBe("")
    expect(result).toMatchObject({ code: 0, stdout: "loaded\n" })
  })

  it("passes publint", async () => {
    const bytes = await readFile(tarball)
    const result = await publint({
      pack: { tarball: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer },
      level: "suggestion",
      strict: true,
    })
    expect(result.messages.map((m) => formatMessage(m, result.pkg))).toEqual([])
  })

  it("passes arethetypeswrong (esm-only)", async () => {
    const cli = join(root, "node_modules", "@arethetypeswrong", "cli")
    const bin = JSON.parse(await readFile(join(cli, "package.json"), "utf8")).bin.attw as string
    const result = await run(process.execPath, [join(cli, bin), tarball, "--profile", "esm-only"])
    expect(result.code, result.stdout + result.stderr).toBe(0)
  })

  it("is imported by a fresh project and decodes an event", async () => {
    await writeFile(
      join(consumer, "smoke.mjs"),
      `import { decodeEvent, makeEvent, OotbUserDetailsUpdateStandard } from "@cdp/schema"
import schema from "@cdp/schema/json-schema/ootb_user_details_update.schema.json" with { type: "json" }
const event = ${JSON.stringify(event)}
const decoded = decodeEvent(event)
const bad = decodeEvent({ ...event, tenant: "567" })
const made = makeEvent("ootb_user_details_update", { tenant: 1, customer: "c", timestamp: new Date(0) })
const standard = OotbUserDetailsUpdateStandard["~standard"].validate(event)
console.log(JSON.stringify({ decoded, bad, made, standard: standard.issues === undefined, id: schema.$id }))
`,
    )
    const result = await run(process.execPath, ["smoke.mjs"], { cwd: consumer })
    expect(result.code, result.stderr).toBe(0)
    const out = JSON.parse(result.stdout)
    expect(out.decoded).toEqual({ ok: true, event: { ...event, timestamp: "2024-05-27 10:30:00.000000 UTC" } })
    expect(out.bad.ok).toBe(false)
    expect(out.bad.issues[0]).toMatchObject({ path: "/tenant", code: "invalid_type" })
    expect(out.made.timestamp).toBe("1970-01-01 00:00:00.000000 UTC")
    expect(out.standard).toBe(true)
    expect(out.id).toBe(`https://unpkg.com/@cdp/schema@${pkg.version}/json-schema/ootb_user_details_update.schema.json`)
  })

  it("runs the README's usage example", async () => {
    await writeFile(join(consumer, "readme.mjs"), await readmeExample())
    const result = await run(process.execPath, ["readme.mjs"], { cwd: consumer })
    expect(result.code, result.stderr).toBe(0)
    expect(result.stdout).toContain("invalid_format")
    expect(result.stdout).toContain("/customer\n")
    expect(result.stdout).toMatch(/\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{6} UTC\n/)
    expect(result.stdout).toMatch(/true\n$/)
  })

  it("runs its cdp-schema bin from dist", async () => {
    const bin = join(installed, "bin", "cdp-schema.mjs")
    const result = await run(process.execPath, [bin, "validate"], {
      cwd: consumer,
      stdin: `${JSON.stringify(event)}\n${JSON.stringify({ ...event, customer: "" })}\n`,
    })
    expect(result.code).toBe(1)
    expect(result.stdout).toContain("<stdin>:2:\n  /customer [invalid_value]")
    expect(result.stdout).toContain("2 events, 1 valid, 1 invalid")
    const version = await run(process.execPath, [bin, "--version"], { cwd: consumer })
    expect(version).toEqual({ code: 0, stdout: `${pkg.version}\n`, stderr: "" })
  })

  it("gives a TypeScript consumer its types (and the README example type-checks)", async () => {
    await writeFile(join(consumer, "readme.ts"), await readmeExample())
    await writeFile(
      join(consumer, "typed.ts"),
      `import { makeEvent, type OotbUserDetailsUpdate, OotbUserDetailsUpdateStandard } from "@cdp/schema"
const event: OotbUserDetailsUpdate = makeEvent("ootb_user_details_update", {
  tenant: 1,
  customer: "c",
  context: { ootb_is_test: true, ootb_allow_sms: "No" },
})
// @ts-expect-error: types that resolve to any would leave this unflagged
makeEvent("ootb_user_details_update", { tenant: 1, customer: "c", context: { ootb_is_test: "true" } })
const result = OotbUserDetailsUpdateStandard["~standard"].validate(event)
export const ok: boolean = result.issues === undefined
`,
    )
    await writeFile(
      join(consumer, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          module: "nodenext",
          moduleResolution: "nodenext",
          target: "es2022",
          strict: true,
          noEmit: true,
          skipLibCheck: true,
          types: [],
        },
        files: ["typed.ts", "readme.ts"],
      }),
    )
    const result = await run(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", consumer], {
      cwd: consumer,
    })
    expect(result.stdout + result.stderr).toBe("")
    expect(result.code).toBe(0)
  })
})
