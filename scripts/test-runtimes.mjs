#!/usr/bin/env node
// Runs the tests that must run inside a runtime other than Node (the store
// conformance suite on bun:sqlite under Bun, on node:sqlite under Deno, and
// @cdp/client sending to each runtime's service from inside it), each
// with its runtime's own runner, after `vitest run` (which covers Node, the
// HTTP suite against every runtime's server, and workerd through
// @cloudflare/vitest-pool-workers). Fails when a runner fails or runs no test.
import { spawnSync } from "node:child_process"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { runtimeBinary } from "./runtimeBinary.mjs"

const root = join(dirname(fileURLToPath(import.meta.url)), "..")
const bin = runtimeBinary

const runs = [
  {
    name: "bun",
    cwd: join(root, "apps/bun"),
    command: bin("bun"),
    args: ["test", "--timeout", "120000", "./test-runtime/"],
    // bun test prints " N pass" and " N fail"
    count: (out) => ({
      passed: Number(/^\s*(\d+) pass/m.exec(out)?.[1] ?? 0),
      failed: Number(/^\s*(\d+) fail/m.exec(out)?.[1] ?? 0),
    }),
  },
  {
    name: "deno",
    cwd: join(root, "apps/deno"),
    command: bin("deno"),
    args: ["run", "-A", join(root, "node_modules/vitest/vitest.mjs"), "run", "--config", "vitest.deno.config.ts"],
    // vitest prints "Tests  N passed (M)" or "Tests  K failed | N passed (M)"
    count: (out) => {
      // biome-ignore lint/suspicious/noControlCharactersInRegex: strips ANSI colour codes
      const line = /Tests\s+(.*)\(\d+\)/.exec(out.replace(/\u001b\[[0-9;]*m/g, ""))?.[1] ?? ""
      return {
        passed: Number(/(\d+) passed/.exec(line)?.[1] ?? 0),
        failed: Number(/(\d+) failed/.exec(line)?.[1] ?? 0),
      }
    },
  },
]

const only = process.argv.slice(2)
let ok = true
const summary = []
for (const run of runs) {
  if (only.length > 0 && !only.includes(run.name)) continue
  console.log(`\n== ${run.name}: ${[run.command, ...run.args].join(" ")} (in ${run.cwd})`)
  const result = spawnSync(run.command, run.args, {
    cwd: run.cwd,
    env: { ...process.env, FORCE_COLOR: "0", NO_COLOR: "1" },
    encoding: "utf8",
    maxBuffer: 256 * 1024 * 1024,
    timeout: 30 * 60 * 1000,
  })
  const out = `${result.stdout ?? ""}${result.stderr ?? ""}`
  process.stdout.write(out)
  const { passed, failed } = run.count(out)
  const good = result.status === 0 && failed === 0 && passed > 0
  if (!good) ok = false
  summary.push(
    `${run.name}: ${passed} passed, ${failed} failed${result.status === 0 ? "" : ` (exit ${result.status ?? result.signal ?? result.error})`}`,
  )
}
console.log(`\nruntime tests: ${summary.join("; ")}`)
process.exit(ok ? 0 : 1)
