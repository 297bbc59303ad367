/**
 * What `wrangler deploy` would upload: built with `--dry-run`, it stays
 * under 150 KiB gzipped, and holds no run-time code generation
 * (`new Function`, `eval`), which workerd refuses.
 */
import { execFile } from "node:child_process"
import { mkdtemp, readFile, rm } from "node:fs/promises"
import { createRequire } from "node:module"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { promisify } from "node:util"
import { gzipSync } from "node:zlib"
import { afterAll, describe, expect, it } from "vitest"
import { appDir } from "./workerService.ts"

const wrangler = join(dirname(createRequire(import.meta.url).resolve("wrangler/package.json")), "bin", "wrangler.js")

describe("the deployed bundle", () => {
  let out = ""
  afterAll(async () => {
    if (out !== "") await rm(out, { recursive: true, force: true })
  })

  it("is under 150 KiB gzipped and generates no code at run time", async () => {
    out = await mkdtemp(join(tmpdir(), "cdp-worker-bundle-"))
    await promisify(execFile)(process.execPath, [wrangler, "deploy", "--dry-run", "--outdir", out], {
      cwd: appDir,
      env: { ...process.env, WRANGLER_SEND_METRICS: "false", CI: "1" },
    })
    const code = await readFile(join(out, "worker.js"), "utf8")
    const gzipped = gzipSync(code, { level: 9 }).length
    console.info(`worker bundle: ${(code.length / 1024).toFixed(1)} KiB, ${(gzipped / 1024).toFixed(1)} KiB gzipped`)
    expect(code).toMatch(/\bIngestObject = class extends makeIngestObjectClass\(DurableObject\)/)
    expect(gzipped / 1024, "KiB gzipped").toBeLessThan(150)
    expect(code).not.toMatch(/\bnew\s+Function\s*\(/)
    expect(code).not.toMatch(/(?<![.\w$])eval\s*\(/)
  })
})
