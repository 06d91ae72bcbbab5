import { RecordStatus } from '../idempotency/index.js';
import type { RecordView, ResultView } from './record-view.js';

const labelWidth = 13;
const indent = ' '.repeat(labelWidth);

/** `inspect`'s text: one labelled line per fact, times with how far they are from `nowMs`, the result decoded. */
export function renderRecordView(view: RecordView, nowMs: number): string[] {
  return [
    line('Record', view.id),
    line('Status', view.status),
    line('Lease end', leaseText(view, nowMs)),
    line('Retention', `${view.expiresAt} (${relative(view.expiresAtEpochSeconds * 1000, nowMs, 'counts as absent until TTL deletes it')})`),
    line('Fingerprint', view.fingerprintHash ?? 'none (duplicates are not compared)'),
    ...resultLines(view.result),
    ...(view.steps === undefined ? [] : [line('Steps', `${view.steps.map((step) => step.name).join(', ')} (completed: a retry gets their results back)`)]),
  ];
}

function leaseText(view: RecordView, nowMs: number): string {
  if (view.leaseExpiresAt === null || view.leaseExpiresAtEpochMs === null) return view.status === RecordStatus.Completed ? '- (completed)' : '-';
  return `${view.leaseExpiresAt} (${relative(view.leaseExpiresAtEpochMs, nowMs, 'the next request takes the key over')})`;
}

function resultLines(result: ResultView | null): string[] {
  if (result === null) return [line('Result', 'none yet (in progress)')];
  const stored = result.kind === 'gzip' ? ' (stored gzip-compressed)' : '';
  if (result.problem !== undefined) return [line('Result', `unreadable: ${result.problem}`)];
  switch (result.kind) {
    case 'not-stored':
      return [line('Result', 'not stored (too large or not JSON): duplicates get IdempotencyResultNotStoredError')];
    case 'undefined':
      return [line('Result', 'undefined (the handler returned nothing)')];
  }
  if (result.http === undefined) return [line('Result', `JSON${stored}`), ...block('Value', JSON.stringify(result.value, null, 2))];
  const { status, headers, body, bodyIsBase64 } = result.http;
  const headerLines = Object.entries(headers).flatMap(([name, values]) => values.map((value) => `${name}: ${value}`));
  return [
    line('Result', `HTTP ${status}${stored}`),
    ...block('Headers', headerLines.length === 0 ? '(none)' : headerLines.join('\n')),
    ...block(bodyIsBase64 ? 'Body (base64)' : 'Body', body === null ? '(none)' : prettyBody(body, bodyIsBase64)),
  ];
}

// A JSON body is shown indented; any other body as stored.
function prettyBody(body: string, base64: boolean): string {
  if (base64) return body;
  try {
    return JSON.stringify(JSON.parse(body), null, 2);
  } catch {
    return body;
  }
}

const line = (label: string, text: string) => `${label.padEnd(labelWidth)}${text}`;

function block(label: string, text: string): string[] {
  const [first = '', ...rest] = text.split('\n');
  return [line(label, first), ...rest.map((next) => `${indent}${next}`)];
}

// `in 4 min`, or `ended 3 h ago: <then>` once `atMs` has passed.
function relative(atMs: number, nowMs: number, then: string): string {
  const span = humanSpan(Math.abs(atMs - nowMs));
  return atMs > nowMs ? `in ${span}` : `ended ${span} ago: ${then}`;
}

function humanSpan(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds < 120) return `${seconds} s`;
  if (seconds < 2 * 3600) return `${Math.round(seconds / 60)} min`;
  if (seconds < 2 * 86_400) return `${Math.round(seconds / 3600)} h`;
  return `${Math.round(seconds / 86_400)} d`;
}
