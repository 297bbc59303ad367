/**
 * The fault suite of `@cdp/testkit` (`postgresFaultSuite`) against the real
 * Deno service on PostgreSQL, through scripts/start.mjs (which grants the
 * database's host): during a lock held elsewhere, an I/O error, a full disk
 * or a read-only server, POST answers 503 and stores nothing; the same
 * process accepts it afterwards.
 */
import { postgresFaultSuite } from "@cdp/testkit/postgres"
import { startService } from "./denoService.ts"

postgresFaultSuite("deno", { label: "app_deno_faults", start: startService })
