/** Public types of `@tracewire/shipper`. */

/** What happens when an accepted line would push the memory buffer over `maxBufferBytes`. */
export type OverflowPolicy = 'drop_oldest' | 'drop_newest' | 'block'

/** Credentials for the built-in HTTP transport. Never logged, never in errors or stats. */
export type ShipperAuth =
  | { username: string; password: string }
  /** `apiKey` is either the base64 `id:api_key` string Elasticsearch returns as `encoded`, or the pair. */
  | { apiKey: string | { id: string; api_key: string } }
  | { bearer: string }

/** TLS settings for `https:` nodes (undici `connect` options). */
export interface ShipperTlsOptions {
  /** PEM CA certificate(s) to trust. */
  ca?: string | Buffer | Array<string | Buffer>
  /** PEM client certificate for mutual TLS. */
  cert?: string | Buffer
  /** PEM client key for mutual TLS. */
  key?: string | Buffer
  /** Default `true`. Setting `false` accepts any server certificate (development only). */
  rejectUnauthorized?: boolean
}

/**
 * The part of an `@elastic/elasticsearch` client (7.x, 8.x or 9.x) the shipper uses: its transport.
 * The shipper sends `POST /_bulk` through `client.transport.request`, so the client's own
 * connection pool, auth and TLS apply.
 */
export interface ElasticsearchClientLike {
  transport: {
    request(params: Record<string, unknown>, options?: Record<string, unknown>): Promise<unknown>
  }
}

/** One document the shipper gave up on, as written to the dead-letter sink. */
export interface DeadLetter {
  /** The document as it would have been indexed (the accepted line, or the raw line when it could not be read). */
  document: string
  /** The target index, or `null` when the line had no valid `service`/`time`. */
  index: string | null
  /** HTTP status of the item or request that failed, or `null` when it never reached the server. */
  status: number | null
  /** Why it was dead-lettered, with the server's error type and reason when there was one. */
  reason: string
  /** ISO-8601 time of the decision. */
  time: string
}

/** Reported (once per `dropReportIntervalMs`) when the overflow policy discarded lines. */
export interface DropReport {
  /** Lines dropped since the previous report. */
  dropped: number
  /** Policy that dropped them. */
  policy: OverflowPolicy
  /** Total dropped since the shipper started. */
  totalDropped: number
}

/** Options of {@link createShipper}. Every limit carries its unit in its name. */
export interface ShipperOptions {
  /** One or more node URLs (`http://127.0.0.1:9200`). Credentials in the URL are moved into `auth` and redacted. Required unless `client` is given. */
  node?: string | string[]
  /** An existing `@elastic/elasticsearch` client (any major); `node`, `auth`, `tls`, `compression` are then the client's business. */
  client?: ElasticsearchClientLike
  /** Credentials for the built-in transport. */
  auth?: ShipperAuth
  /** TLS options for `https:` nodes. */
  tls?: ShipperTlsOptions
  /** Gzip request bodies. Default `false`. */
  compression?: boolean | 'gzip'
  /** Index prefix. Default `'fluentd'` (index `fluentd-<service>-YYYYMMDD`, as the reference Fluentd config). */
  indexPrefix?: string
  /** Time zone of the index date: `'UTC'` (default, Fluentd's `utc_index true`), a fixed offset `'+09:00'`, or an IANA name. */
  indexTimeZone?: string
  /** A batch is sent when it reaches this many bytes. Default 5 MiB. */
  flushBytes?: number
  /** A non-empty batch is sent at least this often. Default 1000 ms. */
  flushIntervalMs?: number
  /** Requests in flight at most. Default 5 (the reference `flush_thread_count`). */
  maxConcurrentRequests?: number
  /** A single line (as indexed) larger than this is dead-lettered at accept time. Default 1 MiB. */
  maxLineBytes?: number
  /** Memory bound of accepted, not yet settled lines (pending, in flight and waiting to retry). Default 64 MiB. */
  maxBufferBytes?: number
  /** What to do when `maxBufferBytes` is reached. Default `'drop_oldest'`. */
  overflowPolicy?: OverflowPolicy
  /** Drops are summarised to stderr (and `onDrop`) at most once per this interval. Default 10 000 ms. */
  dropReportIntervalMs?: number
  /** First retry wait. Default 1000 ms (Fluentd `retry_wait 1`). */
  retryWaitMs?: number
  /** Exponential backoff base. Default 2. */
  retryBackoffBase?: number
  /** Upper bound of one retry wait. Default 300 000 ms (`retry_max_interval 5m`). */
  maxRetryIntervalMs?: number
  /** A document still failing this long after its first failure is dead-lettered. Default 72 h (`retry_timeout 72h`). */
  maxRetryAgeMs?: number
  /** Optional cap on attempts per document (unset: only `maxRetryAgeMs` applies). */
  maxRetries?: number
  /** Randomise retry waits by ±12.5 % (Fluentd `retry_randomize true`). Default `true`. */
  retryRandomize?: boolean
  /** One `_bulk` request may take this long before it is aborted and retried. Default 30 000 ms. */
  requestTimeoutMs?: number
  /** `close()` gives up waiting for delivery after this long and reports the rest as undelivered. Default 8000 ms (below thread-stream's 10 s exit cap). */
  shutdownTimeoutMs?: number
  /**
   * Durable buffer directory. Accepted lines are appended to segment files there (fsynced every
   * `fsyncIntervalMs`) and replayed with their `_id`s after a crash or an outage; dead letters go to
   * NDJSON files in `dead-letter/` beside them. One process per directory (a second one falls back
   * to memory with a stderr report). `false` keeps everything in memory. Default
   * `<os.tmpdir()>/tracewire-shipper/<indexPrefix>-<hash of cwd and main script>`: point it at a
   * persistent volume in production (a tmpfs `/tmp` does not survive a reboot).
   */
  bufferDir?: string | false
  /** Disk bound of the durable buffer. Default 1 GiB. */
  maxDiskBytes?: number
  /** The durable buffer is fsynced at least this often (and at close). Default 1000 ms. */
  fsyncIntervalMs?: number
  /** Dead-letter NDJSON directory. Default `<bufferDir>/dead-letter` when `bufferDir` is set, else none (callback only). */
  deadLetterDir?: string | false
  /** Called for every dead-lettered document. Never throws into the shipper. */
  onDeadLetter?: (deadLetter: DeadLetter) => void
  /** Called at most once per `dropReportIntervalMs` with the number of lines dropped by the overflow policy. */
  onDrop?: (report: DropReport) => void
  /** Called with request-level errors (typed, redacted); the shipper keeps retrying by itself. */
  onError?: (error: Error) => void
  /** Write the drop summary to stderr. Default `true`. */
  reportDropsToStderr?: boolean
}

/** Counters of a shipper. Contains no credentials. */
export interface ShipperStats {
  /** Lines accepted into the buffer (including those later dropped, and those replayed from the durable buffer). */
  accepted: number
  /** Of `accepted`, lines replayed from the durable buffer after a restart. */
  recovered: number
  /** Documents Elasticsearch confirmed (2xx or `409` on `create`). */
  delivered: number
  /** Of `delivered`, how many were already there (`409`). */
  duplicates: number
  /** Documents re-sent after a failure (one per document per retry). */
  retried: number
  /**
   * Documents dead-lettered: written to the dead-letter file (or, without one, given to
   * `onDeadLetter`). Exact once `flush()` or `close()` resolved; a record the file could not take
   * moves to `deadLetterDropped`.
   */
  deadLettered: number
  /** Dead-letter records that could not be written to the file (disk error, file or queue bound); reported on stderr. */
  deadLetterDropped: number
  /** Lines discarded by the overflow policy. */
  dropped: number
  /**
   * Accepted documents still undelivered when `close()` gave up, kept in the durable buffer for
   * the next start (0 before `close()`).
   */
  leftOnDisk: number
  /** Bytes of accepted, unsettled documents held in memory. */
  bufferedBytes: number
  /** Number of accepted, unsettled documents held in memory. */
  bufferedDocs: number
  /** Bytes held by the durable buffer on disk (0 without one). */
  diskBytes: number
  /** `_bulk` requests currently in flight. */
  inFlight: number
  /** The last request-level error, redacted. */
  lastError: { code: string; message: string; time: string } | null
}

/** What `close()` resolves with. */
export interface CloseResult {
  /** Documents delivered over the shipper's life. */
  delivered: number
  /** Documents dead-lettered over the shipper's life. */
  deadLettered: number
  /** Documents still unsettled at the deadline: `leftOnDisk` plus those lost with the memory buffer. */
  undelivered: number
  /** Of `undelivered`, documents kept in the durable buffer for the next start. */
  leftOnDisk: number
}

/** A running shipper. */
export interface Shipper {
  /**
   * Accept one JSON line as the logger writes it (trailing newline optional). Never throws and never
   * waits on the network. Returns `false` when the buffer is full: with `overflowPolicy: 'block'`
   * the caller should await {@link Shipper.drained} before writing more.
   */
  write(line: string | Buffer): boolean
  /** Resolves when the buffer is below `maxBufferBytes` again. */
  drained(): Promise<void>
  /**
   * Send everything accepted so far now (retries waiting for their backoff too) and resolve when
   * each of those lines is settled: delivered, dead-lettered or dropped. During an outage that can
   * take until the retries give up (`maxRetryAgeMs`); `close()` is the bounded variant.
   */
  flush(): Promise<void>
  /**
   * Stop accepting; deliver what was accepted and the backlog replayed from the durable buffer
   * within `shutdownTimeoutMs` (counted from this call, whatever the buffer is doing); keep what is
   * left on disk for the next start and report it (`leftOnDisk`, one stderr summary); release
   * resources. Idempotent.
   */
  close(): Promise<CloseResult>
  /** Current counters. */
  stats(): ShipperStats
}

/** Options of {@link ensureIndexTemplate}. */
export interface IndexTemplateOptions {
  /** Node URL(s); the first that answers is used. Required unless `client` is given. */
  node?: string | string[]
  /** An existing `@elastic/elasticsearch` client instead of `node`. */
  client?: ElasticsearchClientLike
  auth?: ShipperAuth
  tls?: ShipperTlsOptions
  /** Template name. Default `'tracewire-fluentd'`. */
  name?: string
  /** Index pattern. Default `'fluentd-*'` (the reference `index_name fluentd-${service}-%Y%m%d`). */
  indexPattern?: string
  /**
   * `'legacy'` (`_template`), `'composable'` (`_index_template`), or `'auto'` (default): legacy on
   * Elasticsearch 7.x, which is what fluent-plugin-elasticsearch itself installs on the reference
   * 7.10.2 cluster; composable on 8.x+ and OpenSearch.
   */
  api?: 'auto' | 'legacy' | 'composable'
  /** `index.number_of_replicas`; unset keeps the cluster default. `0` suits a single-node dev cluster. */
  numberOfReplicas?: number
  /** `index.number_of_shards`; unset keeps the cluster default. */
  numberOfShards?: number
  /** `ignore_above` of the keyword fields. Default 1024. */
  ignoreAbove?: number
  /** Analyse `message` with the `nori` (Korean) analyzer: `true` requires the analysis-nori plugin, `'auto'` uses it when installed. Default `false`. */
  nori?: boolean | 'auto'
  /** Template priority (`order` for legacy templates). Default 100. */
  priority?: number
  /** Time limit of one request. Default 10 000 ms. */
  requestTimeoutMs?: number
  /** @deprecated The old name of {@link IndexTemplateOptions.requestTimeoutMs} (the shipper's vocabulary); still honoured. */
  timeoutMs?: number
}

/** What {@link ensureIndexTemplate} installed. */
export interface IndexTemplateResult {
  name: string
  /** Which template API was used. */
  kind: 'legacy' | 'composable'
  /** `version.number` of the server. */
  version: string
  /** `'elasticsearch'` or `'opensearch'`. */
  distribution: string
  /** Whether `message` uses the nori analyzer. */
  nori: boolean
}

/**
 * Delivery trouble the transport's worker posts to the application's thread (the stream pino returns emits
 * it as `'tracewire:delivery'`). Plain data, already free of credentials.
 */
export interface DeliveryReport {
  /** `error`: a request failed (the shipper retries by itself); `dead-letter`: documents given up; `drop`: lines dropped by the overflow policy. */
  kind: 'error' | 'dead-letter' | 'drop'
  /** The shipper's error code for `error` (`TW_SHIPPER_CONNECTION`, `TW_SHIPPER_AUTH`, ...), else `undefined`. */
  code: string | undefined
  /** What happened (for `dead-letter`, the last document's reason). */
  message: string
  /** HTTP status when the server answered, else `null`. */
  status: number | null
  /** 1 for `error`; the documents or lines for `dead-letter` and `drop`. */
  count: number
}

/** Options of the pino transport `@tracewire/shipper/transport`: every shipper option that survives structured cloning (no client, no callbacks). */
export type TransportOptions = Omit<ShipperOptions, 'client' | 'onDeadLetter' | 'onDrop' | 'onError'>
