/**
 * Metrics in the Prometheus text format: counters and histograms with
 * labels, kept in memory, rendered at `/metrics`.
 *
 * @module
 */

type Labels = Readonly<Record<string, string>>

const labelText = (labels: Labels): string => {
  const keys = Object.keys(labels)
  if (keys.length === 0) return ""
  return `{${keys.map((k) => `${k}="${String(labels[k]).replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`).join(",")}}`
}

// Label sets repeat (a route, a status): each is rendered once and found
// again by its names and values in order, one map per step, without building
// a key string, which costs more than the lookups (four calls a request).
interface LabelNode {
  text: string | undefined
  readonly next: Map<string, LabelNode>
}
const labelRoot: LabelNode = { text: undefined, next: new Map() }
let labelNodes = 0
/** Methods and paths come from clients: past this many nodes, label sets are rendered each time instead. */
const MAX_LABEL_NODES = 20_000
const step = (node: LabelNode | undefined, s: string): LabelNode | undefined => {
  if (node === undefined) return undefined
  let child = node.next.get(s)
  if (child === undefined && labelNodes < MAX_LABEL_NODES) {
    child = { text: undefined, next: new Map() }
    node.next.set(s, child)
    labelNodes++
  }
  return child
}
const cachedLabelText = (labels: Labels): string => {
  let node: LabelNode | undefined = labelRoot
  for (const k in labels) node = step(step(node, k), labels[k] as string)
  if (node === undefined) return labelText(labels)
  node.text ??= labelText(labels)
  return node.text
}

/** @since 0.1.0 @category metrics */
export class Counter {
  private readonly values = new Map<string, number>()
  constructor(
    readonly name: string,
    readonly help: string,
  ) {}
  inc(labels: Labels = {}, by = 1): void {
    const k = cachedLabelText(labels)
    this.values.set(k, (this.values.get(k) ?? 0) + by)
  }
  render(): string {
    let out = `# HELP ${this.name} ${this.help}\n# TYPE ${this.name} counter\n`
    for (const [k, v] of this.values) out += `${this.name}${k} ${v}\n`
    return out
  }
}

/** @since 0.1.0 @category metrics */
export class Histogram {
  private readonly series = new Map<string, { counts: Array<number>; sum: number; count: number; labels: Labels }>()
  constructor(
    readonly name: string,
    readonly help: string,
    readonly buckets: ReadonlyArray<number>,
  ) {}
  observe(value: number, labels: Labels = {}): void {
    const k = cachedLabelText(labels)
    let s = this.series.get(k)
    if (s === undefined) {
      s = { counts: this.buckets.map(() => 0), sum: 0, count: 0, labels }
      this.series.set(k, s)
    }
    for (let i = 0; i < this.buckets.length; i++) if (value <= (this.buckets[i] as number)) (s.counts[i] as number)++
    s.sum += value
    s.count++
  }
  render(): string {
    let out = `# HELP ${this.name} ${this.help}\n# TYPE ${this.name} histogram\n`
    for (const s of this.series.values()) {
      this.buckets.forEach((b, i) => {
        out += `${this.name}_bucket${labelText({ ...s.labels, le: String(b) })} ${s.counts[i]}\n`
      })
      out += `${this.name}_bucket${labelText({ ...s.labels, le: "+Inf" })} ${s.count}\n`
      out += `${this.name}_sum${labelText(s.labels)} ${s.sum}\n${this.name}_count${labelText(s.labels)} ${s.count}\n`
    }
    return out
  }
}

const seconds = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5]

/**
 * The service's metrics.
 *
 * @since 0.1.0
 * @category metrics
 */
export const makeMetrics = () => {
  const requests = new Counter("ingest_http_requests_total", "HTTP requests by route, method and status.")
  const events = new Counter("ingest_events_total", "Events by status (accepted, duplicate, rejected).")
  const issues = new Counter("ingest_event_issues_total", "Issues of rejected events by code.")
  const latency = new Histogram("ingest_http_request_duration_seconds", "Request latency by route.", seconds)
  const commit = new Histogram("ingest_store_commit_duration_seconds", "Time of a store append (commit).", seconds)
  return {
    requests,
    events,
    issues,
    latency,
    commit,
    render: (): string => [requests, events, issues, latency, commit].map((m) => m.render()).join(""),
  }
}

/** @since 0.1.0 @category metrics */
export type Metrics = ReturnType<typeof makeMetrics>
