import { countCommands } from './format.js';
import { inProgressScenario, type InProgressWaitResults, type InProgressWaitRow, type WaitSubject } from './in-progress-wait.js';
import type { Table } from './report-table.js';
import type { TargetCheck } from './targets.js';

const subjectLabels: Record<WaitSubject, string> = {
  ours: `ours, waitForInProgressMs: ${inProgressScenario.oursWaitForInProgressMs}`,
  'powertools-middleware': 'Powertools Middy middleware + client retries',
  'powertools-function': 'Powertools makeIdempotent + client retries',
};
const scenario = `a duplicate arriving ${inProgressScenario.duplicateAfterMs} ms into a ${inProgressScenario.handlerMs} ms handler`;

const formatMs = (ms: number) => `${Math.round(ms)} ms`;

const answers = (row: InProgressWaitRow) =>
  Object.entries(row.answers)
    .map(([answer, count]) => `${answer} ${count}/${row.samples}`)
    .join(', ');

/** The scenario's table: each subject's answers, time to answer beside the first call's remaining time, and store calls. */
export function inProgressWaitTable(results: InProgressWaitResults): Table {
  return {
    title: `In progress: ${scenario} (${results.ours.samples} samples per subject; Powertools' client retries on the schedule ours polls on)`,
    headers: [
      'Subject',
      'Answer',
      'Time to answer p50 / p90 / max',
      "First call's remaining (p50)",
      'Target 1.1 × (remaining + poll) p50; samples within',
      'Invocations (p50)',
      'DynamoDB calls: median sample (most)',
    ],
    rows: Object.entries(results).map(([subject, row]) => [
      subjectLabels[subject as WaitSubject],
      answers(row),
      `${formatMs(row.answerMs.p50)} / ${formatMs(row.answerMs.p90)} / ${formatMs(row.answerMs.max)}`,
      formatMs(row.firstRemainingMs),
      `${formatMs(row.targetMs)}; ${row.samplesWithinTarget}/${row.samples}`,
      String(row.attempts),
      `${countCommands(row.commands)} (${row.maxStoreCalls})`,
    ]),
  };
}

/**
 * The summary's row: ours beside Powertools' Middy middleware, as every other summary row. No ratio: the two answers
 * can differ in kind (Powertools' retry runs the handler again), and then their times do not compare.
 */
export function inProgressWaitSummaryRow(results: InProgressWaitResults): string[] {
  const cell = (row: InProgressWaitRow) => `${formatMs(row.answerMs.p50)}: ${Object.keys(row.answers).join(', ')} (${countCommands(row.commands)})`;
  return [`${scenario}: time to answer p50 (answer; DynamoDB calls)`, cell(results.ours), cell(results['powertools-middleware']), ''];
}

/** The two targets for a waiting duplicate; reported, never asserted. */
export function checkInProgressWait(results: InProgressWaitResults): TargetCheck[] {
  const ours = results.ours;
  const replays = ours.answers.replay ?? 0;
  const reads = ours.commands.filter((command) => command === 'GetItem').length;
  return [
    {
      target: `${scenario}: the first call's result within 1.1 × (its remaining time + one poll)`,
      measured: `p50 ${formatMs(ours.answerMs.p50)} vs ${formatMs(ours.targetMs)}; ${ours.samplesWithinTarget}/${ours.samples} within, ${replays}/${ours.samples} replays`,
      met: ours.samplesWithinTarget === ours.samples && replays === ours.samples,
    },
    {
      target: `${scenario}: at most one read per poll`,
      measured: `${reads} reads in the median sample; ${ours.samplesWithOneReadPerPoll}/${ours.samples} samples within the polls their time allows`,
      met: ours.samplesWithOneReadPerPoll === ours.samples,
    },
  ];
}
