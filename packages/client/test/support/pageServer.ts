/**
 * A web page for the browser test, served from an origin of its own
 * (`http://127.0.0.1:<port>`): `/` is a page whose module script loads the
 * client, bundled for browsers by esbuild from the package's entry point
 * (`/client.js`), and puts its exports on `window.cdp` for the test to
 * call.
 */
import { createServer } from "node:http"
import { fileURLToPath } from "node:url"
import { build } from "esbuild"

/** `@cdp/client` (its entry point and everything it imports) as one ES module for browsers. */
export const bundleClient = async (): Promise<string> => {
  const result = await build({
    entryPoints: [fileURLToPath(new URL("../../src/index.ts", import.meta.url))],
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    write: false,
    logLevel: "silent",
  })
  const file = result.outputFiles[0]
  if (file === undefined) throw new Error("esbuild wrote no bundle")
  return file.text
}

const page = `<!doctype html>
<html>
  <head><meta charset="utf-8"><title>@cdp/client in a page</title></head>
  <body>
    <script type="module">
      import * as cdp from "/client.js"
      window.cdp = cdp
      document.title = "ready"
    </script>
  </body>
</html>
`

export interface PageServer {
  /** The page's origin, `http://127.0.0.1:<port>`. */
  readonly origin: string
  readonly close: () => Promise<void>
}

/** Serves the page and the bundle on a free port of 127.0.0.1. */
export const startPageServer = async (bundle: string): Promise<PageServer> => {
  const server = createServer((req, res) => {
    if (req.url === "/") res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(page)
    else if (req.url === "/client.js") res.writeHead(200, { "content-type": "text/javascript" }).end(bundle)
    else res.writeHead(404).end()
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const { port } = server.address() as { port: number }
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}
