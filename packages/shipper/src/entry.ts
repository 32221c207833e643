/** One accepted document and the batches that carry documents to `_bulk`. */

/** Lifecycle of an entry. */
export const EntryState = { Pending: 0, InFlight: 1, Waiting: 2, Settled: 3 } as const
/** One of {@link EntryState}'s values. */
export type EntryState = (typeof EntryState)[keyof typeof EntryState]

/** An accepted line, ready to send: action line and document, pre-serialised once. */
export interface Entry {
  id: string
  /** Accept order; flush waiters compare against it. */
  seq: number
  /** `{"create":…}\n<document>\n`. */
  payload: string
  /** Where the document starts in `payload`. */
  docStart: number
  /** UTF-8 bytes of `payload`. */
  bytes: number
  index: string
  /** Durable-buffer ticket, when the line is on disk. */
  ticket: number | undefined
  /** The raw line for the durable buffer, kept only until it is appended. */
  raw: Buffer | string | undefined
  attempts: number
  /** Time of the first failed attempt (0: none yet). */
  firstFailedAt: number
  state: EntryState
}

/** Entries sent together. */
export interface Batch {
  entries: Entry[]
  bytes: number
  /** Not sent before this time (ms since epoch). */
  notBefore: number
}

/** Builds the NDJSON action + document for one entry. Index and id are validated ASCII: no escaping needed. */
export function bulkPayload(index: string, id: string, document: string): { payload: string; docStart: number } {
  const action = `{"create":{"_index":"${index}","_id":"${id}"}}\n`
  return { payload: `${action}${document}\n`, docStart: action.length }
}

/** The document text of an entry (for dead letters). */
export function documentOf(entry: Entry): string {
  return entry.payload.slice(entry.docStart, entry.payload.length - 1)
}
