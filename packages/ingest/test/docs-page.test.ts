import {
  channels,
  eventKeys,
  eventReference,
  events,
  issueCodes,
  notExpressible,
  OotbUserDetailsUpdate,
  parameterRows,
} from "@cdp/schema"
import { describe, expect, it } from "vitest"
import { docsPage, escapeHtml } from "../src/docsPage.ts"
import { openApiDocument } from "../src/openapi.ts"
import { problemStatus } from "../src/problem.ts"

const page = docsPage()

const voidElements = new Set(["meta", "br", "wbr", "hr", "img", "input", "link"])
const tagPattern = /<(\/?)([a-z][a-z0-9]*)(\s[^<>]*)?>/g

const decode = (s: string): string =>
  s
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, "&")

/** The page's text, as a reader sees it (whitespace collapsed). */
const text = decode(
  page
    .replace(/<style>[\s\S]*?<\/style>/, "")
    .replace(tagPattern, (_m, _close, name: string) => (name === "wbr" ? "" : " "))
    .replace(/\s+/g, " "),
)
/** The text without the spaces tags left behind, for phrases that span inline tags. */
const flat = text.replace(/ +/g, " ")

const contains = (phrase: string): boolean =>
  flat.includes(phrase) || flat.replace(/ /g, "").includes(phrase.replace(/ /g, ""))

describe("docsPage", () => {
  it("is one HTML document with balanced tags", () => {
    expect(page.startsWith('<!doctype html>\n<html lang="en">')).toBe(true)
    expect(page.trimEnd().endsWith("</html>")).toBe(true)
    const stack: Array<string> = []
    for (const m of page.replace(/^<!doctype html>/, "").matchAll(tagPattern)) {
      const [, close, name] = m as unknown as [string, string, string]
      if (voidElements.has(name)) continue
      if (close === "") stack.push(name)
      else expect(stack.pop(), `closing </${name}> at ${m.index}`).toBe(name)
    }
    expect(stack).toEqual([])
    expect(page.match(/<table/g)?.length).toBe(page.match(/<\/table>/g)?.length)
    expect(page.match(/<table/g)?.length).toBeGreaterThan(10)
  })

  it("escapes text: every < of the page opens a tag", () => {
    const withoutTags = page.replace(/^<!doctype html>/, "").replace(tagPattern, "")
    expect(withoutTags).not.toMatch(/[<>]/)
    expect(page).toContain("Bearer &lt;key&gt;")
    expect(page).toContain("&lt;sha256 hex digest of an API key&gt;")
    expect(page).not.toContain("<key>")
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe("&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;")
  })

  it("is self-contained: inline CSS, no scripts, no external assets", () => {
    expect(page).toMatch(/<style>[\s\S]+<\/style>/)
    expect(page).not.toMatch(/<script|<link|<img|<iframe|\ssrc=|@import|url\(/i)
    const hrefs = [...page.matchAll(/href="([^"]*)"/g)].map((m) => m[1] as string)
    for (const href of hrefs) expect(href, href).toMatch(/^(#|\/)/)
  })

  it("has a table of contents whose links all land", () => {
    expect(page).toMatch(/<nav aria-label="Contents">/)
    const ids = [...page.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1] as string)
    expect(new Set(ids).size).toBe(ids.length)
    const anchors = [...page.matchAll(/href="#([^"]+)"/g)].map((m) => m[1] as string)
    expect(anchors.length).toBeGreaterThan(20)
    for (const a of anchors) expect(ids, a).toContain(a)
  })

  it("documents every route of the API with its status codes", () => {
    const routes = [
      "POST /v1/events",
      "GET /v1/customers/{customer}",
      "GET /v1/customers/{customer}/events",
      "DELETE /v1/customers/{customer}",
      "GET /v1/schemas",
      "GET /v1/schemas/{event}.json",
      "GET /openapi.json",
      "GET /docs",
      "GET /healthz",
      "GET /metrics",
    ]
    for (const route of routes) expect(flat, route).toContain(route)
    for (const [path, item] of Object.entries(openApiDocument().paths as Record<string, Record<string, unknown>>)) {
      for (const method of Object.keys(item).filter((k) => k !== "parameters")) {
        const id = `route-${`${method} ${path}`
          .replace(/[^a-z0-9]+/gi, "-")
          .replace(/^-|-$/g, "")
          .toLowerCase()}`
        const start = page.indexOf(`id="${id}"`)
        expect(start, id).toBeGreaterThan(0)
        const section = page.slice(start, page.indexOf("</section>", start))
        expect(flat, `${method} ${path}`).toContain(`${method.toUpperCase()} ${path}`)
        const responses = (item[method] as { responses: Record<string, unknown> }).responses
        for (const status of Object.keys(responses)) expect(section).toContain(`>${status}</span>`)
      }
    }
    expect(flat).toContain("Authorization: Bearer <key>")
  })

  it("lists the request-level error codes and the issue codes", () => {
    for (const [code, status] of Object.entries(problemStatus)) {
      expect(page, code).toMatch(new RegExp(`>${status}</span></td><td><code>${code}</code>`))
    }
    for (const code of issueCodes) expect(page, code).toContain(`<td><code>${code}</code></td>`)
  })

  it("documents key scopes and browsers: each route's scope, the preflight, allowedOrigins", () => {
    const sectionOf = (id: string): string => {
      const start = page.indexOf(`id="${id}"`)
      expect(start, id).toBeGreaterThan(0)
      return page.slice(start, page.indexOf("</section>", start))
    }
    for (const [id, scope] of [
      ["route-post-v1-events", "send"],
      ["route-get-v1-customers-customer", "read"],
      ["route-get-v1-customers-customer-events", "read"],
      ["route-get-v1-events", "read"],
      ["route-delete-v1-customers-customer", "erase"],
      ["route-delete-v1-customers", "erase"],
    ] as const) {
      expect(sectionOf(id), id).toContain(`Bearer key, scope ${scope}</span>`)
    }
    const preflight = sectionOf("route-options-v1-events")
    expect(preflight).toContain(">public</span>")
    for (const header of [
      "Access-Control-Allow-Origin",
      "Access-Control-Allow-Methods",
      "Access-Control-Allow-Headers",
      "Access-Control-Max-Age",
      "Vary",
    ]) {
      expect(preflight, header).toContain(`header <code>${header}</code>`)
    }
    expect(flat).toContain("OPTIONS /v1/events")
    for (const title of ["Key scopes", "Browsers (CORS)"])
      expect(
        sectionOf(
          `overview-${title
            .toLowerCase()
            .replace(/[^a-z0-9]+/g, "-")
            .replace(/-$/, "")}`,
        ),
      ).toContain(title)
    for (const key of ['"allowedOrigins"', '"scopes"', '"digest"', '"send"']) expect(flat, key).toContain(key)
    expect(contains("Only a send -only key belongs in a web page")).toBe(true)
  })

  it("documents the configuration and the profile overwrite rule", () => {
    for (const name of ["PORT", "INGEST_DB", "INGEST_CONFIG", "8787", "./.data/ingest.db", "postgres://"]) {
      expect(flat, name).toContain(name)
    }
    for (const key of ['"tenants"', '"keys"', '"channels"', '"rateLimit"', '"perSecond"', '"burst"']) {
      expect(flat, key).toContain(key)
    }
    for (const c of channels) expect(flat).toContain(`"${c}"`)
    expect(contains("a parameter that is present (an empty string included) replaces it")).toBe(true)
    expect(contains("on equal timestamps the later arrival wins")).toBe(true)
    expect(contains("does not overwrite newer values")).toBe(true)
  })

  it("has every parameter of ootb_user_details_update, with its row from parameterRows", () => {
    const keys = Object.keys(OotbUserDetailsUpdate.fields)
    expect(keys.length).toBeGreaterThan(20)
    for (const row of parameterRows(OotbUserDetailsUpdate)) {
      expect(page, row.key).toContain(`<td><code>${row.key}</code></td>`)
      expect(contains(row.description), row.description).toBe(true)
      expect(contains(row.classification), row.classification).toBe(true)
      expect(contains(row.rule.replace(/`/g, "")), row.rule).toBe(true)
    }
    const parameters = page.slice(page.indexOf('<table class="parameters'), page.length)
    const body = parameters.slice(0, parameters.indexOf("</table>"))
    expect(body.match(/<tr>/g)?.length).toBe(keys.length + 1)
  })

  it("has each event kind's envelope, channel requirements and the rules JSON Schema cannot state", () => {
    for (const key of eventKeys) {
      const def = events[key]
      expect(page).toContain(`id="event-${key.replace(/_/g, "-")}"`)
      for (const p of ["tenant", "timestamp", "event", "customer", "visitor", "context"]) {
        expect(page).toContain(`<td><code>${p}</code></td>`)
      }
      for (const c of channels) {
        expect(contains(`${c} ${def.requiredFor([c]).join(" , ")}`), c).toBe(true)
      }
      for (const rule of notExpressible(def)) expect(contains(rule), rule).toBe(true)
    }
  })

  it("has a section for every component schema of the document that is not an event kind", () => {
    const schemas = (openApiDocument().components as { schemas: Record<string, unknown> }).schemas
    const names = Object.keys(schemas).filter((n) => !(eventKeys as ReadonlyArray<string>).includes(n))
    expect(names.length).toBeGreaterThan(10)
    for (const name of names) {
      const id = `schema-${name.replace(/[^a-z0-9]+/gi, "-").toLowerCase()}`
      expect(page, name).toContain(`<section class="schema" id="${id}">\n<h3>${name}</h3>`)
    }
  })

  it("shows each event kind's example as the OpenAPI document gives it, and its reference's notes", () => {
    const post = (openApiDocument().paths as Record<string, Record<string, unknown>>)["/v1/events"]?.post as {
      requestBody: { content: Record<string, { examples: Record<string, { value: unknown }> }> }
    }
    const examples = Object.values(post.requestBody.content["application/json"]?.examples ?? {}).flatMap((e) =>
      Array.isArray(e.value) ? e.value : [e.value],
    ) as Array<{ event: string }>
    for (const key of eventKeys) {
      const example = examples.find((e) => e.event === key)
      expect(example, key).toBeDefined()
      const section = page.slice(page.indexOf(`id="event-${key.replace(/_/g, "-")}-example"`))
      expect(section).toContain(`<pre><code>${escapeHtml(JSON.stringify(example, null, 2))}</code></pre>`)
      const ref = eventReference(events[key])
      expect(contains(ref.parametersNote.replace(/`/g, "")), ref.parametersNote).toBe(true)
      expect(contains(ref.notExpressibleNote), ref.notExpressibleNote).toBe(true)
    }
  })
})
