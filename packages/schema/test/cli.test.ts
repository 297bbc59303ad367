/**
 * The `cdp-schema` CLI, run as a real process on temporary files and stdin;
 * and its streaming reader, in process.
 *
 * Running the TypeScript source through tsx costs about a second of CPU per
 * process, so most runs use the CLI compiled once (tsc, as `pnpm build` does,
 * into a temporary directory); a few run `bin/cdp-schema.mjs` from source, as
 * a developer does in a checkout. The packed, published CLI is run by
 * `package.test.ts`.
 */
import { type ChildProcessWithoutNullStreams, execFile, spawn } from "node:child_process"
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from "node:fs/promises"
import { createRequire } from "node:module"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { PassThrough } from "node:stream"
import { promisify } from "node:util"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import pkg from "../package.json" with { type: "json" }
import { type InputRecord, MalformedInputError, readEvents } from "../src/cli/readEvents.ts"
import { validateCommand } from "../src/cli/validateCommand.ts"
import { decodeEvent } from "../src/index.ts"

const root = join(import.meta.dirname, "..")
const bin = join(root, "bin", "cdp-schema.mjs")
let compiled = ""

interface Run {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

const start = (args: ReadonlyArray<string>, cwd: string, entry = compiled): ChildProcessWithoutNullStreams =>
  spawn(process.execPath, [entry, ...args], { cwd, env: { ...process.env, NO_COLOR: "1" } })

const finish = (child: ChildProcessWithoutNullStreams): Promise<Run> =>
  new Promise((resolve, reject) => {
    let stdout = ""
    let stderr = ""
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      stdout += d
    })
    child.stderr.setEncoding("utf8").on("data", (d: string) => {
      stderr += d
    })
    child.on("error", reject)
    child.on("close", (code) => resolve({ code, stdout, stderr }))
  })

const cli = (
  args: ReadonlyArray<string>,
  options: { stdin?: string; cwd?: string; entry?: string } = {},
): Promise<Run> => {
  const child = start(args, options.cwd ?? dir, options.entry)
  const done = finish(child)
  child.stdin.end(options.stdin ?? "")
  return done
}

const event = (overrides: Record<string, unknown> = {}) => ({
  tenant: 567,
  timestamp: "2024-05-27 10:30:00.000000 UTC",
  event: "ootb_user_details_update",
  customer: "customerId1",
  context: { ootb_email: "john.doe@example.com", ootb_allow_email: "Yes" },
  ...overrides,
})
const valid = JSON.stringify(event())
const badTenant = JSON.stringify(event({ tenant: "567" }))
const badEmail = JSON.stringify(event({ context: { ootb_email: "nope" } }))

let dir = ""
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "cdp-schema-cli-"))
  // The compiled CLI: dist/ beside a copy of package.json, resolving effect
  // through a link to the package's node_modules.
  const build = join(dir, "build")
  await mkdir(build)
  await copyFile(join(root, "package.json"), join(build, "package.json"))
  await symlink(join(root, "node_modules"), join(build, "node_modules"), "dir")
  const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc")
  await promisify(execFile)(
    process.execPath,
    [tsc, "-p", "tsconfig.build.json", "--outDir", join(build, "dist"), "--noCheck", "--declaration", "false"],
    { cwd: root },
  )
  compiled = join(build, "dist", "cli.js")
  await writeFile(join(dir, "one.json"), `${JSON.stringify(event(), null, 2)}\n`)
  await writeFile(join(dir, "array.json"), `[\n  ${valid},\n  ${badEmail},\n  ${valid}\n]\n`)
  await writeFile(join(dir, "events.ndjson"), `${valid}\n${badTenant}\n\n{"tenant": 567,\n${valid}\n`)
  await writeFile(join(dir, "broken.json"), `{\n  "tenant": 567,\n  "customer": \n}\n`)
  await writeFile(join(dir, "broken-array.json"), `[${valid},\n${valid},]`)
}, 120_000)
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe.concurrent("cdp-schema", () => {
  it("prints its version and help", async () => {
    const [version, help, none] = await Promise.all([cli(["--version"]), cli(["--help"]), cli([])])
    expect(version).toEqual({ code: 0, stdout: `${pkg.version}\n`, stderr: "" })
    expect(help.code).toBe(0)
    expect(help.stdout).toContain("cdp-schema validate [files...]")
    expect(help.stdout).toContain("ootb_user_details_update")
    expect(none.code).toBe(2)
    expect(none.stderr).toContain("Usage:")
  })

  it("validates one JSON object: exit 0, summary, quiet stderr", async () => {
    const run = await cli(["validate", "one.json"])
    expect(run).toEqual({ code: 0, stdout: "1 event, 1 valid, 0 invalid\n", stderr: "" })
  })

  it("validates a JSON array and tells each invalid element by index and line", async () => {
    const run = await cli(["validate", "array.json"])
    expect(run.code).toBe(1)
    expect(run.stdout).toBe(
      "array.json[1] (line 3):\n" +
        '  /context/ootb_email [invalid_format] ootb_email must be an email address, got "nope"\n' +
        "3 events, 2 valid, 1 invalid\n",
    )
    expect(run.stderr).toBe("")
  })

  it("validates NDJSON line by line; a malformed line is an invalid event, not the end", async () => {
    const run = await cli(["validate", "events.ndjson"])
    expect(run.code).toBe(1)
    expect(run.stdout).toBe(
      "events.ndjson:2:\n" +
        '  /tenant [invalid_type] tenant must be a positive integer, got "567"\n' +
        "events.ndjson:4: malformed JSON: Expected double-quoted property name at column 16\n" +
        "4 events, 2 valid, 2 invalid\n",
    )
  })

  it("reads stdin when no file or - is given", async () => {
    const input = `${valid}\n${badTenant}\n`
    const [implicit, dash] = await Promise.all([
      cli(["validate"], { stdin: input }),
      cli(["validate", "-"], { stdin: input }),
    ])
    for (const run of [implicit, dash]) {
      expect(run.code).toBe(1)
      expect(run.stdout).toContain("<stdin>:2:\n  /tenant [invalid_type]")
      expect(run.stdout).toMatch(/2 events, 1 valid, 1 invalid\n$/)
    }
    const array = await cli(["validate"], { stdin: `[${valid}, ${valid}]` })
    expect(array).toEqual({ code: 0, stdout: "2 events, 2 valid, 0 invalid\n", stderr: "" })
  })

  it("applies the tenant's channels", async () => {
    const run = await cli(["validate", "--channels", "email,sms", "one.json"])
    expect(run.code).toBe(1)
    expect(run.stdout).toContain(
      "  /context/ootb_mobile_number [required] ootb_mobile_number is required: the tenant's integration uses the sms channel",
    )
    expect(run.stdout).toContain("1 event, 0 valid, 1 invalid")
  })

  it("writes JSON lines with --format json: each invalid event, then the summary", async () => {
    const run = await cli(["validate", "--format", "json", "events.ndjson", "array.json"])
    expect(run.code).toBe(1)
    const records = run.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l))
    const issuesOf = (s: string) => {
      const r = decodeEvent(JSON.parse(s))
      return r.ok ? [] : r.issues
    }
    expect(records).toEqual([
      { file: "events.ndjson", line: 2, issues: issuesOf(badTenant) },
      { file: "events.ndjson", line: 4, error: expect.stringMatching(/^malformed JSON: /) },
      { file: "array.json", line: 3, index: 1, issues: issuesOf(badEmail) },
      { summary: { events: 7, valid: 4, invalid: 3, inputErrors: 0 } },
    ])
  })

  it("exits 2 on unreadable or malformed input, after validating the other files", async () => {
    const run = await cli(["validate", "missing.json", "broken.json", "broken-array.json", "one.json"])
    expect(run.code).toBe(2)
    expect(run.stderr).toContain("cdp-schema: cannot read missing.json: ENOENT")
    expect(run.stderr).toMatch(/^broken\.json(:\d+)*: malformed JSON: /m)
    expect(run.stderr).toContain("broken-array.json:2: malformed JSON array: expected a value after the comma")
    expect(run.stdout).toBe("3 events, 3 valid, 0 invalid; 3 inputs unreadable or malformed\n")
  })

  it("exits 2 on usage errors", async () => {
    const runs = await Promise.all([
      cli(["validate", "--channels", "fax", "one.json"]),
      cli(["validate", "--format", "xml", "one.json"]),
      cli(["validate", "--nope"]),
      cli(["frobnicate"]),
      cli(["schema", "--dialect", "draft-04"]),
      cli(["docs", "extra"]),
    ])
    const messages = [
      'unknown channel "fax"',
      'unknown format "xml"',
      "Unknown option '--nope'",
      'unknown command "frobnicate"',
      'unknown dialect "draft-04"',
      'docs takes no arguments, got "extra"',
    ]
    runs.forEach((run, i) => {
      expect(run.code).toBe(2)
      expect(run.stdout).toBe("")
      expect(run.stderr).toContain(messages[i])
    })
  })

  it("reports as it reads: an invalid event is told before the input ends", async () => {
    for (const [first, rest] of [
      [`${badTenant}\n`, `${valid}\n`],
      [`[\n${badTenant},\n`, `${valid}]\n`],
    ] as const) {
      const child = start(["validate"], dir)
      const done = finish(child)
      child.stdin.write(first)
      const early = await new Promise<string>((resolve) => {
        let seen = ""
        child.stdout.on("data", (d: string) => {
          seen += d
          if (seen.includes("/tenant")) resolve(seen)
        })
      })
      expect(early).toContain("[invalid_type]")
      child.stdin.end(rest)
      const run = await done
      expect(run.code).toBe(1)
      expect(run.stdout).toContain("2 events, 1 valid, 1 invalid")
    }
  })

  it("`schema` and `docs` write the committed files", async () => {
    const out = join(dir, "out")
    const [schema, draft07, docs] = await Promise.all([
      cli(["schema", "--out", join(out, "json-schema")]),
      cli(["schema", "--out", join(out, "draft-07"), "--dialect", "draft-07"]),
      cli(["docs", "--out", join(out, "docs")]),
    ])
    for (const run of [schema, draft07, docs]) expect(run.code).toBe(0)
    const same = async (written: string, committed: string) => {
      const files = (await readdir(committed)).sort()
      expect((await readdir(written)).sort()).toEqual(files)
      for (const f of files)
        expect(await readFile(join(written, f), "utf8"), f).toBe(await readFile(join(committed, f), "utf8"))
    }
    await same(join(out, "json-schema"), join(root, "json-schema"))
    await same(join(out, "docs"), join(root, "docs"))
    const committed07 = (await readdir(join(root, "json-schema"))).filter((f) => f.includes("draft-07"))
    expect(await readdir(join(out, "draft-07"))).toEqual(committed07)
    expect(schema.stdout).toContain(`wrote ${join(out, "json-schema", "ootb_user_details_update.schema.json")}`)
  })

  it("writes to ./json-schema and ./docs by default", async () => {
    const cwd = await mkdtemp(join(tmpdir(), "cdp-schema-cwd-"))
    try {
      await Promise.all([cli(["schema"], { cwd }), cli(["docs"], { cwd })])
      expect((await readdir(join(cwd, "json-schema"))).sort()).toEqual(
        (await readdir(join(root, "json-schema"))).sort(),
      )
      expect(await readdir(join(cwd, "docs"))).toEqual(await readdir(join(root, "docs")))
    } finally {
      await rm(cwd, { recursive: true, force: true })
    }
  })
})

describe.concurrent("cdp-schema from source (bin/cdp-schema.mjs through tsx)", () => {
  it("runs the TypeScript source in a checkout", async () => {
    const [version, run] = await Promise.all([
      cli(["--version"], { entry: bin }),
      cli(["validate", "--format", "json"], { entry: bin, stdin: `${valid}\n${badTenant}\n` }),
    ])
    expect(version).toEqual({ code: 0, stdout: `${pkg.version}\n`, stderr: "" })
    expect(run.code).toBe(1)
    expect(run.stdout.trim().split("\n").at(-1)).toBe(
      JSON.stringify({ summary: { events: 2, valid: 1, invalid: 1, inputErrors: 0 } }),
    )
  })
})

describe("validate's progress line", () => {
  const progressRun = async (isTTY: boolean) => {
    const stdin = new PassThrough()
    const stdout = new PassThrough()
    const stderr = Object.assign(new PassThrough(), { isTTY })
    let err = ""
    stderr.setEncoding("utf8").on("data", (d: string) => {
      err += d
    })
    stdout.resume()
    const done = validateCommand({ files: [], channels: [], format: "text" }, { stdin, stdout, stderr })
    const batch = `${valid}\n`.repeat(1024)
    stdin.write(batch)
    await new Promise((r) => setTimeout(r, 1100))
    stdin.end(batch)
    return { code: await done, stderr: err }
  }

  it("shows on a terminal once a run lasts, and is cleared at the end", async () => {
    const run = await progressRun(true)
    expect(run.code).toBe(0)
    // 2048 events after the pause; 1024 too on a machine slow enough to take a second before it.
    const shown = run.stderr.replaceAll("\r\x1b[2K", "<clear>")
    expect(shown).toMatch(/^(<clear><stdin>: (1024|2048) events, 0 invalid)+<clear>$/)
    expect(run.stderr).toContain("2048 events")
  })

  it("never shows when stderr is not a terminal", async () => {
    expect(await progressRun(false)).toEqual({ code: 0, stderr: "" })
  })
})

/** Feeds a text to readEvents in chunks of `size` characters and collects what comes out. */
const read = async (text: string, size = text.length || 1): Promise<Array<InputRecord>> => {
  async function* chunks() {
    for (let i = 0; i < text.length; i += size) yield text.slice(i, i + size)
  }
  const out: Array<InputRecord> = []
  for await (const r of readEvents(chunks())) out.push(r)
  return out
}

describe("readEvents", () => {
  const a = '{"a":"x,]}\\"[{"}'
  const b = '{"b":[1,{"c":2}]}'

  it("tells the format by the first character and the first line", async () => {
    expect(await read(`  \n[${a}, ${b}]`)).toEqual([
      { kind: "event", format: "array", value: { a: 'x,]}"[{' }, line: 2, index: 0 },
      { kind: "event", format: "array", value: { b: [1, { c: 2 }] }, line: 2, index: 1 },
    ])
    expect(await read(`\n${a}\n${b}\n`)).toEqual([
      { kind: "event", format: "ndjson", value: { a: 'x,]}"[{' }, line: 2 },
      { kind: "event", format: "ndjson", value: { b: [1, { c: 2 }] }, line: 3 },
    ])
    expect(await read('\n{\n  "a": 1\n}\n')).toEqual([{ kind: "event", format: "json", value: { a: 1 }, line: 2 }])
    expect(await read("")).toEqual([])
    expect(await read(" \n\t\n")).toEqual([])
    expect(await read("[]")).toEqual([])
  })

  it("takes NDJSON whose first line is malformed when the next line opens an object", async () => {
    const records = await read(`{oops\n${a}\n`)
    expect(records).toEqual([
      { kind: "malformed", format: "ndjson", line: 1, error: expect.any(String) },
      { kind: "event", format: "ndjson", value: { a: 'x,]}"[{' }, line: 2 },
    ])
  })

  it("gives the same records whatever the chunk boundaries, with CRLF and a BOM", async () => {
    for (const text of [`\uFEFF[\r\n${a},\r\n${b}\r\n]\r\n`, `\uFEFF${a}\r\n\r\n${b}\r\n`, `\uFEFF{\r\n"a": 1\r\n}`]) {
      const whole = await read(text)
      expect(whole.length).toBeGreaterThan(0)
      for (const size of [1, 2, 3, 7]) expect(await read(text, size)).toEqual(whole)
    }
  })

  it("throws MalformedInputError on a malformed array or document, with where", async () => {
    const failure = async (text: string) => {
      try {
        await read(text, 3)
      } catch (e) {
        return e
      }
      return undefined
    }
    for (const text of ["[1,]", "[1 2]", "[1", "[1] x", '[{"a":1}}]', "{\n  oops\n}"]) {
      expect(await failure(text), text).toBeInstanceOf(MalformedInputError)
    }
    expect(await failure(`[\n1,\n{"a" 1}]`)).toMatchObject({ line: 3, column: 6 })
  })
})
