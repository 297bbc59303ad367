// The Bun and Deno executables as their npm packages install them, for the
// scripts, the benchmarks and the Deno start script. Not the shims of
// node_modules/.bin: Deno's runs the binary under a Node process of its own,
// which would be measured and signalled instead of Deno, and would not pass
// signals on.
import { existsSync } from "node:fs"
import { createRequire } from "node:module"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"

const root = join(dirname(fileURLToPath(import.meta.url)), "..")

/**
 * The path of `name`'s executable (`bun` or `deno`), found through the
 * package's own location; the `node_modules/.bin` shim when the package has
 * no executable where expected.
 *
 * @param {"bun" | "deno"} name
 * @returns {string}
 */
export const runtimeBinary = (name) => {
  const windows = process.platform === "win32"
  try {
    const dir = dirname(createRequire(join(root, "package.json")).resolve(`${name}/package.json`))
    const exe = name === "bun" ? join(dir, "bin", "bun.exe") : join(dir, windows ? "deno.exe" : "deno")
    if (existsSync(exe)) return exe
  } catch {}
  return join(root, "node_modules", ".bin", windows ? `${name}.cmd` : name)
}
