import { isIdempotencyError, type IdempotencyRecord, type RecordStatus, type StoredResult } from '../idempotency/index.js';
import { parseStoredResult } from '../idempotency/store/result-encoding.js';
import type { StepResults } from '../idempotency/store/store.js';

/** A stored HTTP response: its status, every header (single and multi-value, as lists), and its body as stored. */
export interface HttpResponseView {
  readonly status: number;
  readonly headers: Record<string, string[]>;
  readonly body: string | null;
  readonly bodyIsBase64: boolean;
}

/** A stored result decoded: how it was stored, its value, the HTTP response it is, or why it cannot be read. */
export interface ResultView {
  /** As stored: `json` text, `gzip`-compressed JSON, `undefined` (the handler returned nothing), `not-stored`, or `unreadable`. */
  readonly kind: StoredResult['kind'];
  readonly value?: unknown;
  readonly http?: HttpResponseView;
  readonly problem?: string;
}

/** What `inspect` shows of a record, in the shape `--json` prints. Times are given as stored and as ISO 8601. */
export interface RecordView {
  readonly id: string;
  readonly status: RecordStatus;
  readonly leaseExpiresAtEpochMs: number | null;
  readonly leaseExpiresAt: string | null;
  readonly expiresAtEpochSeconds: number;
  readonly expiresAt: string | null;
  readonly fingerprintHash: string | null;
  readonly result: ResultView | null;
  /** Only when the record holds completed steps: each step's name and its stored JSON text (`null`: it returned nothing). */
  readonly steps?: readonly StepView[];
}

/** A completed step of an IN_PROGRESS record, as stored: what a retry of the request gets back instead of running it. */
export interface StepView {
  readonly name: string;
  readonly json: string | null;
}

/** The view of `record` and its `steps`, its result decoded (gzip inflated within the library's bound, JSON parsed). */
export function toRecordView(record: IdempotencyRecord, steps: StepResults): RecordView {
  const lease = record.leaseExpiresAtEpochMs;
  const view: RecordView = {
    id: record.id,
    status: record.status,
    leaseExpiresAtEpochMs: lease ?? null,
    leaseExpiresAt: isoTime(lease),
    expiresAtEpochSeconds: record.expiresAtEpochSeconds,
    expiresAt: isoTime(record.expiresAtEpochSeconds * 1000),
    fingerprintHash: record.fingerprintHash ?? null,
    result: record.result === undefined ? null : decodeResult(record.id, record.result),
  };
  return steps.size === 0 ? view : { ...view, steps: [...steps].map(([name, json]) => ({ name, json: json ?? null })) };
}

// The largest epoch ms a Date holds; a stored number beyond it is shown as absent rather than crash the tool.
const maxDateMs = 8.64e15;

/** `ms` as ISO 8601, or `null` when absent or beyond what a date can hold. */
export function isoTime(ms: number | null | undefined): string | null {
  return ms === null || ms === undefined || !(Math.abs(ms) <= maxDateMs) ? null : new Date(ms).toISOString();
}

function decodeResult(id: string, result: StoredResult): ResultView {
  if (result.kind === 'not-stored') return { kind: result.kind };
  try {
    const value = parseStoredResult(result, id);
    const http = readHttpResponse(value);
    return http === undefined ? { kind: result.kind, value } : { kind: result.kind, value, http };
  } catch (error) {
    if (!isIdempotencyError(error)) throw error;
    return { kind: result.kind, problem: error.message };
  }
}

// What toReplayableResponse stores for an HTTP answer: an object with a numeric statusCode.
function readHttpResponse(value: unknown): HttpResponseView | undefined {
  if (typeof value !== 'object' || value === null || typeof (value as { statusCode?: unknown }).statusCode !== 'number') return undefined;
  const response = value as { statusCode: number; headers?: object; multiValueHeaders?: object; body?: unknown; isBase64Encoded?: unknown };
  const headers: Record<string, string[]> = {};
  for (const [name, entry] of Object.entries(response.headers ?? {})) headers[name] = [String(entry)];
  for (const [name, entries] of Object.entries(response.multiValueHeaders ?? {})) {
    headers[name] = [...new Set([...(headers[name] ?? []), ...(Array.isArray(entries) ? entries.map(String) : [String(entries)])])];
  }
  const body = typeof response.body === 'string' ? response.body : null;
  return { status: response.statusCode, headers, body, bodyIsBase64: response.isBase64Encoded === true };
}
