/**
 * The human documentation of the API: one self-contained HTML page (inline
 * CSS, no scripts, no external assets) served at `/docs`. The routes, their
 * status codes, the response bodies and the example events come from the
 * OpenAPI document; each event kind's section renders its `eventReference`
 * of `@cdp/schema`, the model the Markdown docs render too. Nothing about a
 * route or an event is written here, so the page cannot drift from the
 * contract.
 *
 * @module
 */
import {
  type AnyEventDefinition,
  channels,
  envelope,
  eventKeys,
  eventReference,
  events,
  type IssueCode,
  issueCodes,
} from "@cdp/schema"
import { apiLimits, bearerScheme, keyScopes, openApiDocument } from "./openapi.ts"
import { type ProblemCode, problemStatus } from "./problem.ts"

type Json = Record<string, unknown>

/**
 * Escapes text for HTML content and attribute values.
 *
 * @since 0.1.0
 * @category docs
 */
export const escapeHtml = (s: string): string =>
  s.replace(/[&<>"']/g, (c) =>
    c === "&" ? "&amp;" : c === "<" ? "&lt;" : c === ">" ? "&gt;" : c === '"' ? "&quot;" : "&#39;",
  )

/** Escaped text with Markdown's inline code (`x`) as `<code>`. */
const inline = (s: string): string => escapeHtml(s).replace(/`([^`]+)`/g, "<code>$1</code>")
const code = (s: string): string => `<code>${escapeHtml(s)}</code>`
const slug = (s: string): string =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "")

const table = (head: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<string>>, cls = ""): string =>
  `<div class="scroll"><table${cls ? ` class="${cls}"` : ""}>
<thead><tr>${head.map((h) => `<th>${escapeHtml(h)}</th>`).join("")}</tr></thead>
<tbody>
${rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join("")}</tr>`).join("\n")}
</tbody>
</table></div>`

const problemMeaning: Record<ProblemCode, string> = {
  malformed_json: "The body of `POST /v1/events` is not valid JSON (or not UTF-8).",
  invalid_body:
    "The body is neither an event object nor an array of them; on the activity route, `limit` or `cursor` is not valid.",
  batch_size: `The batch is empty or holds more than ${apiLimits.maxBatch} events.`,
  unauthorized: "No `Authorization: Bearer <key>` header, or an unknown key.",
  forbidden:
    "The key's scopes do not include the route's, or the request's `Origin` is not among the `allowedOrigins` of the key's tenant. Nothing is read or written.",
  not_found: "No such route, event schema or customer (of this tenant).",
  payload_too_large: `The body is larger than ${apiLimits.maxBodyBytes} bytes (1 MiB); it is refused without reading the rest.`,
  unsupported_media_type: "`POST /v1/events` without `Content-Type: application/json`.",
  rate_limited: "The key's rate limit is exceeded; comes with `Retry-After` (seconds). Back off exponentially.",
  internal_error: "An unexpected error; it has been logged with the request id.",
  unavailable: "Storage is down or busy; nothing was written. Comes with `Retry-After` (seconds).",
}

const issueMeaning: Record<IssueCode, string> = {
  required: "A mandatory property or parameter is missing (including those the tenant's channels make mandatory).",
  invalid_type: 'The value has the wrong JSON type (e.g. the string `"true"` for a Boolean).',
  invalid_format: "A string does not have the required format (email, E.164, date, timestamp, code).",
  invalid_value: "The value is not one of the allowed values, or out of range.",
  too_long: "A string is longer than its limit (255 characters).",
  unknown_property: "A property or parameter that the event kind does not define.",
  unknown_event: "`event` names no known event kind.",
  tenant_mismatch: "`tenant` is not the tenant of the API key.",
}

/** One line describing a schema of the OpenAPI document, with links to components. */
const typeText = (s: Json | undefined): string => {
  if (s === undefined) return ""
  if (typeof s.$ref === "string") {
    const name = s.$ref.split("/").pop() as string
    return Object.hasOwn(events, name)
      ? `<a href="#event-${slug(name)}">${code(name)}</a>`
      : `<a href="#schema-${slug(name)}">${escapeHtml(name)}</a>`
  }
  if (Array.isArray(s.allOf)) {
    const [base, narrowed] = s.allOf as Array<Json>
    const codeSchema = ((narrowed?.properties as Json | undefined)?.code ?? {}) as Json
    const codes =
      (codeSchema.enum as Array<string> | undefined) ?? (codeSchema.const ? [codeSchema.const as string] : [])
    return `${typeText(base)}${codes.length > 0 ? `, <span class="nowrap">code ${codes.map((c) => code(c)).join(", ")}</span>` : ""}`
  }
  if (Array.isArray(s.oneOf)) return (s.oneOf as Array<Json>).map(typeText).join(" or ")
  if ("const" in s) return code(JSON.stringify(s.const))
  if (Array.isArray(s.enum))
    return `one of ${(s.enum as Array<unknown>).map((v) => code(JSON.stringify(v))).join(", ")}`
  const types = Array.isArray(s.type) ? (s.type as Array<string>) : typeof s.type === "string" ? [s.type] : []
  if (types.includes("array")) {
    const bounds =
      s.minItems !== undefined && s.maxItems !== undefined
        ? ` (${s.minItems} to ${s.maxItems})`
        : s.minItems !== undefined
          ? ` (at least ${s.minItems})`
          : s.maxItems !== undefined
            ? ` (at most ${s.maxItems})`
            : ""
    return `array${bounds} of ${typeText(s.items as Json)}`
  }
  if (types.includes("object") && typeof s.additionalProperties === "object") {
    return `object of ${typeText(s.additionalProperties as Json)}`
  }
  let text = escapeHtml(types.join(" or ") || "any")
  if (s.minimum !== undefined && s.maximum !== undefined) text += escapeHtml(` ${s.minimum} to ${s.maximum}`)
  else if (s.minimum !== undefined) text += escapeHtml(` ≥ ${s.minimum}`)
  if (s.format !== undefined) text += escapeHtml(` (${s.format})`)
  if (s.pattern !== undefined) text += `, pattern ${code(String(s.pattern))}`
  if (s.default !== undefined) text += `, default ${code(JSON.stringify(s.default))}`
  return text
}

const methodBadge = (method: string): string =>
  `<span class="method m-${method.toLowerCase()}">${escapeHtml(method.toUpperCase())}</span>`

const routeId = (method: string, path: string): string => `route-${slug(`${method} ${path}`)}`

const operationsOf = (doc: Json): Array<{ method: string; path: string; op: Json; params: Array<Json> }> =>
  Object.entries(doc.paths as Record<string, Json>).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([k]) => ["get", "put", "post", "patch", "delete", "options"].includes(k))
      .map(([method, op]) => ({
        method: method.toUpperCase(),
        path,
        op: op as Json,
        params: [...((item.parameters as Array<Json>) ?? []), ...(((op as Json).parameters as Array<Json>) ?? [])],
      })),
  )

const routeSection = (doc: Json, r: ReturnType<typeof operationsOf>[number]): string => {
  const { method, path, op, params } = r
  const components = doc.components as { responses: Record<string, Json> }
  const isPrivate = Array.isArray(op.security) && op.security.length > 0
  // The scopes the security requirement names (roles of the bearer scheme).
  const scopes = isPrivate ? (((op.security as Array<Json>)[0]?.[bearerScheme] as Array<string> | undefined) ?? []) : []
  const access = isPrivate
    ? `Bearer key${scopes.length > 0 ? `, scope ${scopes.map((s) => escapeHtml(s)).join(", ")}` : ""}`
    : "public"
  const parts: Array<string> = [
    `<section class="route" id="${routeId(method, path)}">`,
    `<h3>${methodBadge(method)} <code class="path">${escapeHtml(path)}</code></h3>`,
    `<p class="summary">${inline(String(op.summary ?? ""))} <span class="auth ${isPrivate ? "private" : "public"}">${access}</span></p>`,
  ]
  if (typeof op.description === "string") parts.push(`<p>${inline(op.description)}</p>`)
  if (params.length > 0) {
    parts.push(
      table(
        ["Parameter", "In", "Type", "Description"],
        params.map((p) => [
          code(String(p.name)),
          escapeHtml(String(p.in)),
          typeText(p.schema as Json),
          inline(String(p.description ?? "")),
        ]),
        "params fixed",
      ),
    )
  }
  const body = op.requestBody as Json | undefined
  if (body !== undefined) {
    const content = body.content as Record<string, Json>
    parts.push(
      `<p><strong>Request body</strong>: ${Object.values(content)
        .map((media) => typeText(media.schema as Json))
        .join(" or ")}. ${inline(String(body.description ?? ""))}</p>`,
    )
  }
  const responses = Object.entries(op.responses as Record<string, Json>).map(([status, raw]) => {
    const res = typeof raw.$ref === "string" ? (components.responses[raw.$ref.split("/").pop() as string] as Json) : raw
    const content = (res.content ?? {}) as Record<string, Json>
    const headers = Object.keys((res.headers ?? {}) as Json)
    const bodies = Object.entries(content).map(([type, media]) => `${code(type)}: ${typeText(media.schema as Json)}`)
    return [
      `<span class="status s${status[0]}">${escapeHtml(status)}</span>`,
      inline(String(res.description ?? "")),
      [...bodies, ...headers.map((h) => `header ${code(h)}`)].join("<br>") || "no body",
    ]
  })
  parts.push(table(["Status", "When", "Body"], responses, "responses fixed"), "</section>")
  return parts.join("\n")
}

const schemaSection = (name: string, s: Json): string => {
  const props = (s.properties ?? {}) as Record<string, Json>
  const required = (s.required ?? []) as Array<string>
  const rows = Object.entries(props).map(([key, p]) => [
    code(key),
    typeText(p),
    required.includes(key) ? "yes" : "no",
    inline(String(p.description ?? "")),
  ])
  return `<section class="schema" id="schema-${slug(name)}">
<h3>${escapeHtml(name)}</h3>
<p>${inline(String(s.description ?? ""))}</p>
${rows.length > 0 ? table(["Field", "Type", "Always", "Description"], rows, "fields fixed") : `<p>Type: ${typeText(s)}</p>`}
</section>`
}

/**
 * The example of an event kind that the document gives for `POST /v1/events`
 * (its request body examples, one event or a batch).
 */
const documentedExample = (doc: Json, key: string): unknown => {
  const media = (
    ((doc.paths as Record<string, Json>)["/v1/events"]?.post as Json | undefined)?.requestBody as
      | { content?: Record<string, { examples?: Record<string, { value?: unknown }> }> }
      | undefined
  )?.content?.["application/json"]
  const values = Object.values(media?.examples ?? {}).flatMap((e) => (Array.isArray(e.value) ? e.value : [e.value]))
  const example = values.find((v) => (v as Json | undefined)?.event === key)
  if (example === undefined) throw new Error(`the OpenAPI document has no example event of ${key}`)
  return example
}

/** A rule of `notExpressible`, its subject as code when it names a property (`context.x: ...`). */
const limitText = (rule: string): string => {
  const m = /^([\w.]+): (.*)$/s.exec(rule)
  return m ? `${code(m[1] as string)}: ${inline(m[2] as string)}` : inline(rule)
}

/** An event kind's section: its `eventReference` rendered, with the document's example. */
const eventSection = (doc: Json, def: AnyEventDefinition): string => {
  const ref = eventReference(def)
  const id = `event-${slug(ref.key)}`
  return `<section class="event" id="${id}">
<h2>${escapeHtml(ref.title)} <code>${escapeHtml(ref.key)}</code></h2>
<p>${inline(ref.description)}</p>
<p>JSON Schema (draft 2020-12): <a href="/v1/schemas/${encodeURIComponent(ref.key)}.json">${code(
    `/v1/schemas/${ref.key}.json`,
  )}</a></p>
<h3 id="${id}-envelope">Envelope</h3>
${table(
  ["Property", "Type", "Required", "Rule", "Description"],
  ref.envelope.map((r) => [
    code(r.property),
    escapeHtml(r.type),
    `<span class="cls cls-${slug(r.required)}">${escapeHtml(r.required)}</span>`,
    inline(r.rule),
    inline(r.description),
  ]),
  "envelope fixed",
)}
<h3 id="${id}-parameters">Parameters (<code>context</code>)</h3>
<p>${inline(ref.parametersNote)}</p>
${table(
  ["Parameter", "Type", "Rule", "Events-based Integration", "Example", "Description"],
  ref.parameters.map((r) => [
    code(r.key),
    escapeHtml(r.type),
    inline(r.rule),
    `<span class="cls cls-${slug(r.classification.split(" ")[0] as string)}">${escapeHtml(r.classification)}</span>`,
    inline(r.example),
    inline(r.description),
  ]),
  "parameters fixed",
)}
<h3 id="${id}-channels">Channel requirements</h3>
<p>A tenant's <code>channels</code> (configuration) make these parameters mandatory (<code>required</code> when missing):</p>
${table(
  ["Channel", "Mandatory parameters"],
  ref.channels.map((c) => [code(c.channel), c.parameters.map((k) => code(k)).join(", ") || "none"]),
  "narrow",
)}
<h3 id="${id}-not-expressible">Not expressible in JSON Schema</h3>
<p>${inline(ref.notExpressibleNote)}</p>
<ul>
${ref.notExpressible.map((l) => `<li>${limitText(l)}</li>`).join("\n")}
</ul>
<h3 id="${id}-example">Example</h3>
<pre><code>${escapeHtml(JSON.stringify(documentedExample(doc, ref.key), null, 2))}</code></pre>
</section>`
}

const configExample = {
  tenants: [
    {
      id: envelope.tenant.example,
      keys: ["<sha256 hex digest of an API key>", { digest: "<sha256 hex digest of a browser key>", scopes: ["send"] }],
      allowedOrigins: ["https://shop.example.com"],
      channels: [...channels],
      rateLimit: { perSecond: 1000, burst: 2000 },
    },
  ],
}

const css = `
:root { --fg: #1f2328; --muted: #59636e; --line: #d1d9e0; --soft: #f6f8fa; --accent: #0b5cad; --code: #eff2f5; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; color: var(--fg); background: #fff; font: 15px/1.6 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
a { color: var(--accent); text-decoration: none; }
a:hover { text-decoration: underline; }
code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; font-size: 0.86em; }
code { background: var(--code); border-radius: 4px; padding: 0.1em 0.35em; }
pre { background: var(--soft); border: 1px solid var(--line); border-radius: 6px; padding: 12px 14px; overflow-x: auto; line-height: 1.45; }
pre code { background: none; padding: 0; overflow-wrap: normal; }
.layout { display: grid; grid-template-columns: 250px minmax(0, 1fr); max-width: 1440px; margin: 0 auto; }
nav { position: sticky; top: 0; align-self: start; max-height: 100vh; overflow-y: auto; padding: 24px 16px 24px 24px; border-right: 1px solid var(--line); font-size: 14px; }
nav h2 { font-size: 12px; text-transform: uppercase; letter-spacing: 0.06em; color: var(--muted); margin: 0 0 8px; border: 0; padding: 0; }
nav ol { list-style: none; margin: 0; padding: 0; }
nav ol ol { padding-left: 12px; margin: 2px 0 6px; font-size: 13px; }
nav li { margin: 2px 0; }
nav a { color: var(--fg); }
nav .nav-route { display: flex; gap: 6px; align-items: baseline; }
nav .nav-route span { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12px; }
nav .method { font-size: 9px; min-width: 46px; padding: 3px 4px; flex: none; }
main { padding: 24px 40px 80px; min-width: 0; }
header { border-bottom: 1px solid var(--line); margin-bottom: 8px; padding-bottom: 12px; }
header h1 { margin: 0 0 4px; font-size: 30px; line-height: 1.2; }
header p { margin: 4px 0; color: var(--muted); }
h2 { font-size: 23px; margin: 40px 0 12px; padding-bottom: 6px; border-bottom: 1px solid var(--line); line-height: 1.3; }
h3 { font-size: 18px; margin: 28px 0 8px; line-height: 1.3; }
h2 code, h3 code { font-size: 0.8em; }
p, ul { margin: 8px 0; max-width: 80ch; }
.scroll { overflow-x: auto; margin: 10px 0 16px; }
table { border-collapse: collapse; width: 100%; font-size: 14px; }
table.narrow { width: auto; min-width: 50%; }
th, td { border: 1px solid var(--line); padding: 6px 10px; text-align: left; vertical-align: top; }
th { background: var(--soft); font-weight: 600; white-space: nowrap; }
tbody tr:nth-child(even) td { background: #fbfcfd; }
table.fixed { table-layout: fixed; }
table.fixed th { white-space: normal; }
table.fixed code { overflow-wrap: anywhere; }
table.responses th:nth-child(1) { width: 5.5em; } table.responses th:nth-child(2) { width: 48%; }
table.params th:nth-child(1) { width: 16%; } table.params th:nth-child(2) { width: 8%; } table.params th:nth-child(3) { width: 22%; }
table.fields th:nth-child(1) { width: 18%; } table.fields th:nth-child(2) { width: 32%; } table.fields th:nth-child(3) { width: 5.5em; }
table.envelope th:nth-child(1) { width: 13%; } table.envelope th:nth-child(2) { width: 9%; } table.envelope th:nth-child(3) { width: 11%; } table.envelope th:nth-child(4) { width: 30%; }
table.parameters { font-size: 13.5px; }
table.parameters th:nth-child(1) { width: 23%; } table.parameters th:nth-child(2) { width: 7%; } table.parameters th:nth-child(3) { width: 20%; } table.parameters th:nth-child(4) { width: 15%; } table.parameters th:nth-child(5) { width: 13%; }
table.errors th:nth-child(1) { width: 5.5em; } table.errors th:nth-child(2) { width: 14em; }
table.issues th:nth-child(1) { width: 11em; }
.route { border: 1px solid var(--line); border-radius: 8px; padding: 4px 18px 8px; margin: 18px 0; }
.route h3 { margin: 12px 0 4px; display: flex; align-items: center; gap: 10px; }
.route h3 code.path { background: none; padding: 0; font-size: 17px; }
.summary { font-weight: 600; }
.method { display: inline-block; min-width: 62px; text-align: center; font: 700 12px/1 ui-monospace, Menlo, Consolas, monospace; padding: 5px 6px; border-radius: 4px; color: #fff; }
.m-get { background: #1a7f37; } .m-post { background: #0b5cad; } .m-delete { background: #c4302b; } .m-put, .m-patch { background: #9a6700; } .m-options { background: #59636e; }
.auth { font-size: 12px; font-weight: 600; border-radius: 10px; padding: 1px 8px; margin-left: 6px; white-space: nowrap; }
.auth.private { background: #fff1e5; color: #9a4a00; border: 1px solid #f3c69c; }
.auth.public { background: #e8f5ec; color: #1a7f37; border: 1px solid #a8dab5; }
.status { font: 700 13px ui-monospace, Menlo, Consolas, monospace; }
.s2 { color: #1a7f37; } .s4 { color: #9a4a00; } .s5 { color: #c4302b; }
.cls-mandatory { font-weight: 600; }
.nowrap { white-space: nowrap; }
.note { background: #f0f6ff; border-left: 4px solid var(--accent); padding: 8px 14px; margin: 12px 0; max-width: 80ch; }
footer { color: var(--muted); font-size: 13px; margin-top: 48px; border-top: 1px solid var(--line); padding-top: 12px; }
@media (max-width: 900px) {
  .layout { display: block; }
  nav { position: static; max-height: none; border-right: 0; border-bottom: 1px solid var(--line); }
  main { padding: 16px; }
  table.fixed { min-width: 760px; }
  .route { padding: 4px 10px 8px; }
}
@media print { nav { display: none; } .layout { display: block; } }
`

/**
 * The documentation page of the API and every event kind, as HTML text.
 * Built on each call; callers that serve it cache the text.
 *
 * @since 0.1.0
 * @category docs
 */
export const docsPage = (): string => {
  const doc = openApiDocument()
  const info = doc.info as { title: string; version: string; summary: string; description: string }
  const ops = operationsOf(doc)
  const kinds: ReadonlyArray<AnyEventDefinition> = eventKeys.map((k) => events[k])
  const componentSchemas = (doc.components as { schemas: Record<string, Json> }).schemas
  // Every component but the event kinds (each has a section of its own), in the document's order.
  const schemaNames = Object.keys(componentSchemas).filter((n) => !Object.hasOwn(events, n))
  // The overview sections of the OpenAPI description, rendered: "## Title" starts a section.
  const overview = info.description.split(/\n(?=## )/).slice(1)
  const overviewSections = overview.map((block) => {
    const [title, ...paragraphs] = block.replace(/^## /, "").split("\n\n")
    return { title: title as string, html: paragraphs.map((p) => `<p>${inline(p)}</p>`).join("\n") }
  })
  const intro = info.description.split(/\n(?=## )/)[0] as string

  const toc = `<nav aria-label="Contents">
<h2>Contents</h2>
<ol>
<li><a href="#overview">Overview</a>
<ol>${overviewSections.map((s) => `<li><a href="#overview-${slug(s.title)}">${escapeHtml(s.title)}</a></li>`).join("")}</ol></li>
<li><a href="#routes">Routes</a>
<ol>${ops
    .map(
      (o) =>
        `<li><a class="nav-route" href="#${routeId(o.method, o.path)}">${methodBadge(o.method)}<span>${escapeHtml(o.path).replace(/\//g, "/<wbr>")}</span></a></li>`,
    )
    .join("")}</ol></li>
<li><a href="#errors">Error codes</a>
<ol><li><a href="#request-errors">Request-level errors</a></li><li><a href="#issue-codes">Issue codes</a></li></ol></li>
<li><a href="#bodies">Request and response bodies</a></li>
<li><a href="#configuration">Configuration</a></li>
<li><a href="#events">Events</a>
<ol>${kinds.map((d) => `<li><a href="#event-${slug(d.key)}">${code(d.key)}</a></li>`).join("")}</ol></li>
</ol>
</nav>`

  const routes = `<section id="routes">
<h2>Routes</h2>
<p>Routes marked <span class="auth private">Bearer key</span> need <code>Authorization: Bearer &lt;key&gt;</code> (security scheme <code>${escapeHtml(
    bearerScheme,
  )}</code>); a key belongs to exactly one tenant, and every read and write is confined to it. The machine-readable contract is <a href="/openapi.json"><code>/openapi.json</code></a> (OpenAPI 3.1).</p>
${ops.map((o) => routeSection(doc, o)).join("\n")}
</section>`

  const errors = `<section id="errors">
<h2>Error codes</h2>
<h3 id="request-errors">Request-level errors</h3>
<p>Problem Details (RFC 9457): <code>Content-Type: application/problem+json</code>, body <code>{ "type", "title", "status", "detail", "code" }</code>, where <code>code</code> is one of:</p>
${table(
  ["Status", "Code", "When"],
  (Object.entries(problemStatus) as Array<[ProblemCode, number]>).map(([c, status]) => [
    `<span class="status s${String(status)[0]}">${status}</span>`,
    code(c),
    inline(problemMeaning[c]),
  ]),
  "errors fixed",
)}
<h3 id="issue-codes">Issue codes</h3>
<p>A rejected event lists every one of its issues, each with a <code>path</code> (a JSON Pointer, RFC 6901, into the event), a <code>code</code> from this closed set and a <code>message</code> that names the field, what was expected and what came. The request answers 202 when at least one event was accepted or was a duplicate; otherwise 403 when every rejection was <code>tenant_mismatch</code>, else 400.</p>
${table(
  ["Code", "Meaning"],
  issueCodes.map((c) => [code(c), inline(issueMeaning[c])]),
  "issues fixed",
)}
</section>`

  const bodies = `<section id="bodies">
<h2>Request and response bodies</h2>
${schemaNames.map((n) => schemaSection(n, componentSchemas[n] as Json)).join("\n")}
</section>`

  const configuration = `<section id="configuration">
<h2>Configuration</h2>
<p>The server reads three environment variables:</p>
${table(
  ["Variable", "Setting", "Default"],
  [
    [code("PORT"), "The port to listen on.", code("8787")],
    [code("INGEST_DB"), "Storage: a file path (SQLite) or a <code>postgres://</code> URL.", code("./.data/ingest.db")],
    [
      code("INGEST_CONFIG"),
      "The tenants: the path of a JSON file of the shape below.",
      "development mode (one tenant and a fresh key, printed on start-up)",
    ],
  ],
)}
<pre><code>${escapeHtml(JSON.stringify(configExample, null, 2))}</code></pre>
<ul>
<li><code>id</code>: the tenant's numeric id, the <code>tenant</code> of its events.</li>
<li><code>keys</code>: the tenant's API keys, stored only as SHA-256 hex digests; the server hashes the bearer token it receives and compares in constant time. A plain digest has every scope; <code>{ "digest", "scopes" }</code> has only those it names, of ${(
    Object.entries(keyScopes) as Array<[string, string]>
  )
    .map(([scope, what]) => `${code(scope)} (${inline(what.replace(/\.$/, ""))})`)
    .join(
      ", ",
    )}. A key used outside its scopes gets 403 <code>forbidden</code>. Only a <code>send</code>-only key belongs in a web page.</li>
<li><code>allowedOrigins</code> (optional): exact origins (<code>https://shop.example.com</code>: scheme, host and port, no path) whose pages may send events with the tenant's keys (CORS on <code>POST /v1/events</code>). A request that carries an <code>Origin</code> not listed here gets 403 <code>forbidden</code>; requests without <code>Origin</code> (servers) are not affected.</li>
<li><code>channels</code>: the execution channels of the tenant's integration, any of ${channels
    .map((c) => code(c))
    .join(", ")}; each makes its parameters mandatory (see each event's channel requirements).</li>
<li><code>rateLimit</code> (optional): a token bucket per key, <code>perSecond</code> tokens a second up to <code>burst</code>; over it, 429 with <code>Retry-After</code>.</li>
</ul>
<p>A malformed configuration file stops start-up with a message that names the file and the offending field. Without <code>INGEST_CONFIG</code> the server starts in development mode and says so plainly.</p>
</section>`

  const eventList = `<section id="events">
<h2>Events</h2>
<p>The event kinds of <code>@cdp/schema</code> ${escapeHtml(info.version)}; the list is also served at <a href="/v1/schemas"><code>/v1/schemas</code></a>.</p>
${table(
  ["Event key", "Title", "Parameters"],
  kinds.map((d) => [
    `<a href="#event-${slug(d.key)}">${code(d.key)}</a>`,
    escapeHtml(d.title),
    String(Object.keys(d.fields).length),
  ]),
  "narrow",
)}
</section>
${kinds.map((d) => eventSection(doc, d)).join("\n")}`

  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(info.title)} ${escapeHtml(info.version)}</title>
<style>${css}</style>
</head>
<body>
<div class="layout">
${toc}
<main>
<header>
<h1>${escapeHtml(info.title)}</h1>
<p>${inline(info.summary)}</p>
<p>Version ${escapeHtml(info.version)} (the version of the event contract <code>@cdp/schema</code>) · <a href="/openapi.json">OpenAPI 3.1</a> · <a href="/v1/schemas">JSON Schemas</a></p>
</header>
<section id="overview">
<h2>Overview</h2>
<p>${inline(intro)}</p>
${overviewSections
  .map((s) => `<section id="overview-${slug(s.title)}">\n<h3>${escapeHtml(s.title)}</h3>\n${s.html}\n</section>`)
  .join("\n")}
</section>
${routes}
${errors}
${bodies}
${configuration}
${eventList}
<footer>Generated from <code>@cdp/schema</code> ${escapeHtml(info.version)} and the OpenAPI document of this server.</footer>
</main>
</div>
</body>
</html>
`
}
