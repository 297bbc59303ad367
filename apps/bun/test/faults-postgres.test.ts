/**
 * The fault suite of `@cdp/testkit` (`postgresFaultSuite`) against the real
 * Bun service on PostgreSQL (the client on Bun's sockets): during a lock held
 * elsewhere, an I/O error, a full disk or a read-only server, POST answers
 * 503 and stores nothing; the same process accepts it afterwards.
 */
import { postgresFaultSuite } from "@cdp/testkit/postgres"
import { startService } from "./bunService.ts"

postgresFaultSuite("bun", { label: "app_bun_faults", start: startService })
