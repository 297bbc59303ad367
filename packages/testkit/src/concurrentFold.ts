/**
 * The oracle of the overwrite rule when events arrive from many writers at
 * once (several service processes on one database): arrival order is the
 * order of commits, which no client sees, so a profile is checked against
 * what every order consistent with the clients' observations allows.
 *
 * Give each event a value per attribute that no other event has (so the
 * profile names the event each value came from) and record, for the send
 * that was answered `accepted`, when it was sent and when the answer came:
 * the event committed in between. For each attribute, the winner must be an
 * event with the attribute's latest timestamp; among those (ties), one whose
 * answer came before another one was sent is certainly the earlier arrival
 * and cannot win. `updated_at` must be the latest timestamp, and nothing
 * else may be in the profile.
 *
 * Reach for it in a concurrency test of a store shared by many writers.
 *
 * @module
 */

/** An acknowledged event, with the times of its accepted send. */
export interface ObservedEvent {
  readonly id: string
  readonly timestamp: string
  readonly context: Readonly<Record<string, unknown>>
  /** When the send that was answered `accepted` left (any monotonic clock, the same for all events). */
  readonly sentAt: number
  /** When its answer arrived. */
  readonly ackAt: number
}

/** The latest timestamp of some events (timestamps in the documented form sort as text). */
const latestOf = (events: ReadonlyArray<ObservedEvent>): string => {
  let latest = ""
  for (const e of events) if (e.timestamp > latest) latest = e.timestamp
  return latest
}

/**
 * The complaints about `profile` (empty when it is one that some arrival
 * order consistent with the observations gives). `events` are the
 * customer's acknowledged events, each id once.
 */
export const concurrentFoldComplaints = (
  events: ReadonlyArray<ObservedEvent>,
  profile: { readonly attributes: Readonly<Record<string, unknown>>; readonly updated_at: string } | undefined,
): string[] => {
  if (events.length === 0) return profile === undefined ? [] : ["a profile exists without acknowledged events"]
  if (profile === undefined) return [`no profile, but ${events.length} acknowledged events`]
  const complaints: string[] = []
  const latest = latestOf(events)
  if (profile.updated_at !== latest) complaints.push(`updated_at ${profile.updated_at}, expected ${latest}`)
  const keys = new Set(events.flatMap((e) => Object.keys(e.context)))
  for (const key of Object.keys(profile.attributes)) {
    if (!keys.has(key)) complaints.push(`attribute ${key} is carried by no acknowledged event`)
  }
  for (const key of keys) {
    const carriers = events.filter((e) => key in e.context)
    const top = latestOf(carriers)
    const candidates = carriers.filter((e) => e.timestamp === top)
    const value = profile.attributes[key]
    const winner = carriers.find((e) => e.context[key] === value)
    if (winner === undefined) {
      complaints.push(`${key} = ${JSON.stringify(value)}: no acknowledged event carries that value`)
      continue
    }
    if (winner.timestamp !== top) {
      complaints.push(`${key} came from ${winner.id} at ${winner.timestamp}, but ${top} is later (lost update)`)
      continue
    }
    const later = candidates.find((c) => c !== winner && winner.ackAt < c.sentAt)
    if (later !== undefined) {
      complaints.push(
        `${key} came from ${winner.id}, answered before ${later.id} (same timestamp ${top}) was sent: the later arrival must win`,
      )
    }
  }
  return complaints
}
