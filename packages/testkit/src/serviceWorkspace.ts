/**
 * A service under test, whatever its runtime: a temporary home (its store
 * and its `INGEST_CONFIG` file with the contract tenants), and
 * `serviceContract`, which starts the real server there and runs the HTTP
 * contract suite against it. Each app's tests give only how to start their
 * server. Test-side only (uses node:*).
 *
 * @module
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll } from "vitest"
import { type ContractTenant, contractConfig, contractTenants } from "./http/contractTenants.ts"
import { type HttpCapabilities, httpContract } from "./httpSuite.ts"
import type { ServerProcess } from "./serverProcess.ts"

/**
 * A temporary home of one service.
 *
 * @since 0.2.0
 * @category models
 */
export interface Workspace {
  readonly dir: string
  /** Where the store lives (`INGEST_DB`): a SQLite file, or a folder of state, in a folder the service creates. */
  readonly db: string
  /** The tenants file (`INGEST_CONFIG`). */
  readonly config: string
  /** The tenants of the config, with their clear-text keys. */
  readonly tenants: ReadonlyArray<ContractTenant>
  readonly remove: () => Promise<void>
}

/**
 * A temporary folder `cdp-<label>-*` with `contractConfig(tenants)` written
 * as the tenants file; `db` is `data/ingest.db` in it unless `store` names
 * another place (relative to the folder).
 *
 * @since 0.2.0
 * @category constructors
 */
export const makeWorkspace = async (
  label: string,
  options: { readonly tenants?: ReadonlyArray<ContractTenant>; readonly store?: string } = {},
): Promise<Workspace> => {
  const tenants = options.tenants ?? contractTenants()
  const dir = await mkdtemp(join(tmpdir(), `cdp-${label}-`))
  const config = join(dir, "tenants.json")
  await writeFile(config, JSON.stringify(await contractConfig(tenants), null, 2))
  return {
    dir,
    db: join(dir, options.store ?? join("data", "ingest.db")),
    config,
    tenants,
    remove: () => rm(dir, { recursive: true, force: true }),
  }
}

/**
 * The tenant of `tenants` with this id.
 *
 * @since 0.2.0
 * @category utils
 */
export const tenantOf = (tenants: ReadonlyArray<ContractTenant>, id: number): ContractTenant => {
  const t = tenants.find((x) => x.id === id)
  if (t === undefined) throw new Error(`no tenant ${id}`)
  return t
}

/**
 * How a suite runs a real service: the prefix of its temporary workspace,
 * the workspace's options, what to make before the first start and clean
 * up at the end (say, a fresh PostgreSQL schema as `INGEST_DB`), and how
 * to start the service there. Every service suite takes one.
 *
 * @since 0.3.0
 * @category models
 */
export interface ServiceSetup {
  /** Prefix of the temporary workspace's folder. */
  readonly label: string
  readonly workspace?: Parameters<typeof makeWorkspace>[1]
  /** Made once before the first start, cleaned up at the end. */
  readonly environment?: () => Promise<{
    readonly env: Record<string, string>
    readonly cleanup?: () => Promise<void>
  }>
  /** Starts the service on the workspace (every restart gets the same `ws` and `env`). */
  readonly start: (ws: Workspace, env: Readonly<Record<string, string>>) => Promise<ServerProcess>
}

/**
 * Runs the HTTP contract suite against a real server: before the suite, a
 * fresh workspace (`label`) and, when given, `environment()` (say, a fresh
 * PostgreSQL schema as `INGEST_DB`); then `start(ws, env)`; afterwards the
 * server is stopped with SIGTERM, `cleanup` runs and the workspace is removed.
 *
 * @since 0.2.0
 * @category suites
 */
export const serviceContract = (
  name: string,
  options: ServiceSetup & { readonly capabilities?: HttpCapabilities },
): void => {
  let ws: Workspace | undefined
  let server: ServerProcess | undefined
  let cleanup: (() => Promise<void>) | undefined

  beforeAll(async () => {
    ws = await makeWorkspace(options.label, options.workspace)
    const extra = options.environment ? await options.environment() : { env: {} }
    cleanup = extra.cleanup
    server = await options.start(ws, extra.env)
  })

  afterAll(async () => {
    try {
      await server?.stop("SIGTERM")
      await cleanup?.()
    } finally {
      await ws?.remove()
    }
  })

  httpContract(
    name,
    () => {
      if (server === undefined || ws === undefined) throw new Error(`${name}: the service did not start`)
      return { baseUrl: server.baseUrl, tenants: ws.tenants }
    },
    options.capabilities,
  )
}
