/**
 * The members of Deno's global (https://docs.deno.com/api/deno/) that this
 * app uses, so that `tsc --noEmit` checks it with the repo's Node.js types
 * and offline (`deno check` would want an `@types/node` of its own and
 * rewrites the root package.json's workspaces).
 */
declare namespace Deno {
  const version: { readonly deno: string }
  const env: { get(name: string): string | undefined }
  const stdout: { writeSync(bytes: Uint8Array): number }
  function readTextFile(path: string): Promise<string>
  function exit(code?: number): never
  function addSignalListener(signal: "SIGTERM" | "SIGINT", handler: () => void): void
  interface NetAddr {
    readonly hostname: string
    readonly port: number
  }
  interface HttpServer {
    /** Stops accepting, finishes in-flight requests, then resolves. */
    shutdown(): Promise<void>
    readonly finished: Promise<void>
    readonly addr: NetAddr
  }
  function serve(
    options: { port?: number; hostname?: string; onListen?: (addr: NetAddr) => void },
    handler: (request: Request) => Response | Promise<Response>,
  ): HttpServer
}
