/**
 * A vitest reporter that fails the run when a test project ran no test: a
 * package whose tests vanished (a bad glob, a renamed folder) must not pass
 * quietly. Enabled by the root `test` script (CDP_REQUIRE_TESTS=1), so that a
 * run filtered to one file or project is not held to it.
 */
import type { Reporter, TestModule, Vitest } from "vitest/node"

export default class EveryProjectHasTests implements Reporter {
  private projects: Array<string> = []

  onInit(vitest: Vitest): void {
    this.projects = vitest.projects.map((p) => p.name)
  }

  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    if (process.env.CDP_REQUIRE_TESTS !== "1") return
    const ran = new Map<string, number>(this.projects.map((p) => [p, 0]))
    let passed = 0
    let failed = 0
    let skipped = 0
    for (const m of testModules) {
      let n = 0
      for (const t of m.children.allTests()) {
        const state = t.result().state
        if (state === "skipped") skipped++
        else {
          n++
          if (state === "passed") passed++
          else failed++
        }
      }
      ran.set(m.project.name, (ran.get(m.project.name) ?? 0) + n)
    }
    // Modules that failed to load count as failures too.
    for (const m of testModules) if (m.state() === "failed" && m.children.size === 0) failed++
    const empty = [...ran].filter(([, n]) => n === 0).map(([p]) => p)
    if (empty.length > 0) {
      process.stderr.write(`\nThese test projects ran no test: ${empty.join(", ")}\n`)
      process.exitCode = 1
    } else {
      const counts = [...ran].map(([p, n]) => `${p} ${n}`).join(", ")
      process.stderr.write(`\nTests per project: ${counts}\n`)
    }
    // The plain closing line: what ran, in words any CI reads.
    process.stdout.write(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}\n`)
  }
}
