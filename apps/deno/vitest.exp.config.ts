import { defineConfig } from "vitest/config"
export default defineConfig({ test: { include: ["test/exp.test.ts"], pool: "forks" } })
