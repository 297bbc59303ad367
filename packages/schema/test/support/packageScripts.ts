/**
 * Runs a script of a package.json the way `pnpm run` does (its text in
 * `sh -c`, the package's and the workspace's binaries on PATH), without
 * pnpm itself: pnpm first checks, and may install, the dependencies of the
 * workspace it runs in, which a test must not do to a scratch copy that
 * borrows node_modules by symlink.
 */
import { execFile } from "node:child_process"
import { readFileSync } from "node:fs"
import { delimiter, join } from "node:path"
import { packageDir } from "./ajv.ts"

/** The workspace root. */
export const repoRoot = join(packageDir, "..", "..")

export interface ScriptOutcome {
  readonly status: number
  readonly stdout: string
  readonly stderr: string
}

/** Runs `script` of `dir/package.json` in `dir`; resolves with its exit status and output. */
export const runScript = (dir: string, script: string): Promise<ScriptOutcome> => {
  const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { scripts: Record<string, string> }
  const text = manifest.scripts[script]
  if (text === undefined) throw new Error(`${dir}/package.json has no script ${script}`)
  const path = [join(dir, "node_modules", ".bin"), join(repoRoot, "node_modules", ".bin"), process.env.PATH]
  return new Promise((resolve) => {
    execFile(
      "sh",
      ["-c", text],
      { cwd: dir, env: { ...process.env, PATH: path.join(delimiter) }, timeout: 120_000 },
      (error, stdout, stderr) => {
        const status = error === null ? 0 : typeof error.code === "number" ? error.code : -1
        resolve({ status, stdout, stderr })
      },
    )
  })
}
