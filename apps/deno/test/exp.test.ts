import { describe, it, expect } from "vitest"
import { DatabaseSync } from "node:sqlite"
describe("x", () => { it("works", () => { const db = new DatabaseSync(":memory:"); expect({...db.prepare("select 1 as j").get()}).toEqual({j:1}); expect(typeof Deno).toBe("object") }) })
