/**
 * The fault suite of `@cdp/testkit` (`postgresFaultSuite`) against the real
 * Node service on PostgreSQL: during a lock held elsewhere, an I/O error, a
 * full disk or a read-only server, POST answers 503 and stores nothing; the
 * same process accepts it afterwards.
 */
import { postgresFaultSuite } from "@cdp/testkit/postgres"
import { startService } from "./nodeService.ts"

postgresFaultSuite("node", { label: "app_node_faults", start: startService })
