#!/usr/bin/env node
// The `cdp-schema` command. Installed from npm it runs the built CLI
// (dist/cli.js). In a checkout of the repository, where src/ is present, it
// runs the TypeScript source through tsx, so that no build is needed and the
// CLI never runs stale code.
import { existsSync } from "node:fs"

const source = new URL("../src/cli.ts", import.meta.url)
if (existsSync(source)) {
  const { register } = await import("tsx/esm/api")
  register()
  const { main } = await import(source.href)
  await main()
} else {
  const { main } = await import("../dist/cli.js")
  await main()
}
