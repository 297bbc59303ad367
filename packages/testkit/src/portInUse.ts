/**
 * What every app's start-up test checks when its port is taken: the service
 * exits 1 with one line that names the address and says it is in use, not a
 * stack trace, and never claims to listen. Test-side only (uses node:net).
 *
 * @module
 */
import { createServer, type Server } from "node:net"
import { expect } from "vitest"
import type { LaunchedProcess } from "./serverProcess.ts"
import { within } from "./slowUploads.ts"

/**
 * Holds a port on 127.0.0.1, launches the service on it through `launch`
 * (given `PORT` and `HOST`; the caller adds the rest of its environment) and
 * asserts how it refuses to start.
 *
 * @since 0.2.0
 * @category assertions
 */
export const expectPortInUseRefused = async (
  launch: (env: { readonly PORT: string; readonly HOST: string }) => LaunchedProcess,
): Promise<void> => {
  const holder: Server = createServer()
  const port = await new Promise<number>((resolve, reject) => {
    holder.once("error", reject)
    holder.listen(0, "127.0.0.1", () => resolve((holder.address() as { port: number }).port))
  })
  try {
    const service = launch({ PORT: String(port), HOST: "127.0.0.1" })
    try {
      const exit = await within(60_000, "exit on a port in use", service.exited)
      const stderr = service.stderr()
      expect(exit, stderr).toEqual({ code: 1, signal: null })
      expect(stderr).toMatch(new RegExp(`cannot listen on 127\\.0\\.0\\.1:${port}: .*in use`, "i"))
      expect(stderr, "a message, not a stack trace").not.toMatch(/^\s+at /m)
      expect(`${service.stdout()}${stderr}`).not.toMatch(/listening on/)
    } finally {
      await service.stop("SIGKILL")
    }
  } finally {
    await new Promise<void>((resolve) => holder.close(() => resolve()))
  }
}
