/**
 * What is published: packs `@cdp/client` with `pnpm pack` (which applies
 * `publishConfig` and builds in `prepack`), checks the tarball's files, runs
 * publint and arethetypeswrong on it, and uses it from a fresh project
 * beside the `@cdp/schema` and `@cdp/api` it depends on, as published: every
 * module loads, nothing in it imports a `node:` module or server code, a
 * send goes through a local server, and the README example and the typed
 * `send` type-check (a wrong parameter type does not). The slowest test of
 * the package.
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
const run = async (file: string, args: ReadonlyArray<string>, cwd: string = root): Promise<Run> => {
  try {
    const { stdout, stderr } = await execFile(file, [...args], { cwd, maxBuffer: 64 * 1024 * 1024 })
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

/** Packs this package into `tmp` and unpacks it into the consumer's node_modules; returns the tarball. */
const packClient = async (): Promise<string> => {
  const packed = await run(pnpm, ["pack", "--pack-destination", tmp])
  expect(packed.code, packed.stderr + packed.stdout).toBe(0)
  const made = join(tmp, `cdp-client-${pkg.version}.tgz`)
  const installed = join(consumer, "node_modules", "@cdp", "client")
  await mkdir(installed, { recursive: true })
  await run("tar", ["-xzf", made, "-C", installed, "--strip-components=1"])
  return made
}

/**
 * Installs a workspace dependency (`@cdp/schema`, `@cdp/api`) as published: its manifest with the
 * `publishConfig` exports, its sources compiled into `dist` there. Built into the consumer rather than
 * packed, so that this test never writes the package's own `dist` while that package's tests pack it.
 */
const installDependency = async (name: string): Promise<void> => {
  const dir = join(workspace, "packages", name)
  const installed = join(consumer, "node_modules", "@cdp", name)
  await mkdir(installed, { recursive: true })
  const manifest = JSON.parse(await readFile(join(dir, "package.json"), "utf8"))
  await writeFile(
    join(installed, "package.json"),
    JSON.stringify({ ...manifest, exports: manifest.publishConfig.exports }),
  )
  const tsc = require.resolve("typescript/bin/tsc")
  const built = await run(process.execPath, [
    tsc,
    "-p",
    join(dir, "tsconfig.build.json"),
    "--outDir",
    join(installed, "dist"),
  ])
  expect(built.code, built.stdout + built.stderr).toBe(0)
}

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), "cdp-client-pack-"))
  consumer = join(tmp, "consumer")
  await mkdir(join(consumer, "node_modules"), { recursive: true })
  await Promise.all([installDependency("schema"), installDependency("api")])
  tarball = await packClient()
  const list = await run("tar", ["-tzf", tarball])
  files = list.stdout
    .split("\n")
    .filter((f) => f !== "")
    .map((f) => f.replace(/^package\//, ""))
    .sort()
  await symlink(await realpath(join(root, "node_modules", "effect")), join(consumer, "node_modules", "effect"), "dir")
  await writeFile(join(consumer, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }))
}, 240_000)

afterAll(async () => {
  if (tmp !== "") await rm(tmp, { recursive: true, force: true })
})

/** The usage example of the README: its first TypeScript block under "## Usage". */
const readmeExample = async (): Promise<string> => {
  const readme = await readFile(join(root, "README.md"), "utf8")
  const block = /## Usage[\s\S]*?```ts\n([\s\S]*?)```/.exec(readme)?.[1]
  if (block === undefined) throw new Error("README.md has no ```ts block under ## Usage")
  return block
}

describe.concurrent("the published package", () => {
  it("holds dist, README and package.json; no sources or tests", () => {
    for (const f of ["package.json", "README.md", "dist/index.js", "dist/index.d.ts", "dist/createClient.js"])
      expect(files).toContain(f)
    const allowed = /^(package\.json|README\.md|CHANGELOG\.md|LICENSE|dist\/)/
    expect(files.filter((f) => !allowed.test(f))).toEqual([])
    expect(files.filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts"))).toEqual([])
    for (const js of files.filter((f) => f.startsWith("dist/") && f.endsWith(".js")))
      expect(files).toContain(js.replace(/\.js$/, ".d.ts"))
  })

  it("points exports at dist, depends only on @cdp/schema, @cdp/api and effect, imports no node: module", async () => {
    const installed = join(consumer, "node_modules", "@cdp", "client")
    const manifest = JSON.parse(await readFile(join(installed, "package.json"), "utf8"))
    expect(manifest.exports["."]).toEqual({ types: "./dist/index.d.ts", default: "./dist/index.js" })
    expect(Object.keys(manifest.dependencies).sort()).toEqual(["@cdp/api", "@cdp/schema", "effect"])
    for (const f of files.filter((f) => f.startsWith("dist/") && f.endsWith(".js"))) {
      const text = await readFile(join(installed, f), "utf8")
      const specifiers = [...text.matchAll(/\bfrom\s+"([^"]+)"/g)].map((m) => m[1] as string)
      for (const s of specifiers) expect(s, f).toMatch(/^(\.\/|@cdp\/schema$|@cdp\/api$|effect\/)/)
    }
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

  it("is imported by a fresh project and sends through a local server", async () => {
    await writeFile(
      join(consumer, "smoke.mjs"),
      `import { createServer } from "node:http"
import { createClient, ClientError, InvalidEventError } from "@cdp/client"
const bodies = []
const server = createServer((req, res) => {
  let body = ""
  req.on("data", (c) => (body += c))
  req.on("end", () => {
    const events = JSON.parse(body)
    bodies.push(events.length)
    res.writeHead(202, { "content-type": "application/json" })
    res.end(JSON.stringify({ accepted: events.length, duplicates: 0, rejected: 0,
      results: events.map((e, index) => ({ index, status: "accepted", id: e.customer })) }))
  })
})
await new Promise((r) => server.listen(0, "127.0.0.1", r))
const client = createClient({ url: "http://127.0.0.1:" + server.address().port, key: "k", tenant: 567 })
const sent = await Promise.all([1, 2, 3].map((i) => client.send("ootb_user_details_update", { customer: "c" + i })))
const invalid = await client.send("ootb_user_details_update", { customer: "" }).catch((e) => e)
await client.close()
const closed = await client.send("ootb_user_details_update", { customer: "c4" }).catch((e) => e)
server.close()
console.log(JSON.stringify({ sent, bodies, invalid: invalid instanceof InvalidEventError, closed: closed instanceof ClientError && closed.code }))
`,
    )
    const result = await run(process.execPath, ["smoke.mjs"], consumer)
    expect(result.code, result.stderr).toBe(0)
    expect(JSON.parse(result.stdout)).toEqual({
      sent: [1, 2, 3].map((i) => ({ status: "accepted", id: `c${i}` })),
      bodies: [3],
      invalid: true,
      closed: "closed",
    })
  })

  it("gives a TypeScript consumer its types (and the README example type-checks)", async () => {
    await writeFile(join(consumer, "readme.ts"), await readmeExample())
    await writeFile(
      join(consumer, "typed.ts"),
      `import { type Client, ClientError, createClient, type SendResult } from "@cdp/client"
const client: Client = createClient({ url: "http://localhost:8787", key: "k", tenant: 1, channels: ["email"] })
export const r: Promise<SendResult> = client.send("ootb_user_details_update", {
  customer: "c",
  context: { ootb_is_test: true, ootb_allow_sms: "No" },
})
// @ts-expect-error: a wrong value type does not compile
client.send("ootb_user_details_update", { customer: "c", context: { ootb_is_test: "true" } })
// @ts-expect-error: an unknown parameter does not compile
client.send("ootb_user_details_update", { customer: "c", context: { ootb_unknown: "x" } })
// @ts-expect-error: an unknown event kind does not compile
client.send("no_such_event", { customer: "c" })
export const code = (e: unknown) => (e instanceof ClientError ? e.code : undefined)
`,
    )
    await writeFile(
      join(consumer, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          module: "nodenext",
          moduleResolution: "nodenext",
          target: "es2022",
          lib: ["es2022", "dom"],
          strict: true,
          noEmit: true,
          skipLibCheck: true,
          types: [],
        },
        files: ["typed.ts", "readme.ts"],
      }),
    )
    const result = await run(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", consumer], consumer)
    expect(result.stdout + result.stderr).toBe("")
    expect(result.code).toBe(0)
  })
})
