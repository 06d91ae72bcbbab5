import { formatMicros } from './format.js';
import { latencyPaths, type LatencyResults } from './latency.js';
import type { Percentiles } from './stats.js';

interface Bar {
  readonly label: string;
  readonly value: Percentiles;
  readonly color: string;
}

const colors = { ours: '#0b7a75', powertools: '#e07b00', reference: '#8a8f98' } as const;
const layout = { width: 780, labelWidth: 250, barArea: 400, barHeight: 14, barGap: 4, groupGap: 16, top: 64 } as const;

/**
 * Draws the latency rows as a hand-written SVG: one group per path, ours beside Powertools, then the references.
 * Bars are p50 on a linear scale, the thin line runs on to p90, and every bar is labelled with its p50.
 */
export function renderLatencySvg(latency: LatencyResults, caption: string): string {
  const groups: { title: string; bars: Bar[] }[] = latencyPaths.map((path) => ({
    title: path,
    bars: [
      { label: 'ours', value: latency.paths[path].ours, color: colors.ours },
      { label: 'Powertools', value: latency.paths[path].powertools, color: colors.powertools },
    ],
  }));
  groups.push({
    title: 'references',
    bars: [
      { label: 'bare handler', value: latency.references['bare-handler'], color: colors.reference },
      { label: 'raw PutItem', value: latency.references['raw-put'], color: colors.reference },
      { label: 'raw PutItem, rejected', value: latency.references['raw-put-rejected'], color: colors.reference },
      { label: 'raw PutItem + UpdateItem', value: latency.references['raw-put-update'], color: colors.reference },
    ],
  });
  const scale = layout.barArea / Math.max(...groups.flatMap((group) => group.bars.map((bar) => bar.value.p90)));
  const parts: string[] = [];
  let y = layout.top;
  for (const group of groups) {
    parts.push(`<text x="8" y="${y + 11}" font-weight="bold">${escapeXml(group.title)}</text>`);
    for (const bar of group.bars) {
      const width = Math.max(1, bar.value.p50 * scale);
      const whisker = Math.max(width, bar.value.p90 * scale);
      const middle = y + layout.barHeight / 2;
      parts.push(
        `<text x="${layout.labelWidth - 8}" y="${y + 11}" text-anchor="end">${escapeXml(bar.label)}</text>`,
        `<rect x="${layout.labelWidth}" y="${y}" width="${width.toFixed(1)}" height="${layout.barHeight}" fill="${bar.color}"/>`,
        `<line x1="${(layout.labelWidth + width).toFixed(1)}" y1="${middle}" x2="${(layout.labelWidth + whisker).toFixed(1)}" y2="${middle}" stroke="${bar.color}"/>`,
        `<text x="${(layout.labelWidth + whisker + 6).toFixed(1)}" y="${y + 11}">${escapeXml(formatMicros(bar.value.p50))}</text>`,
      );
      y += layout.barHeight + layout.barGap;
    }
    y += layout.groupGap;
  }
  const height = y + 8;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${layout.width}" height="${height}" viewBox="0 0 ${layout.width} ${height}" font-family="system-ui, sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    `<text x="8" y="20" font-size="15" font-weight="bold">Latency per invocation, p50 (line to p90), DynamoDB Local</text>`,
    `<text x="8" y="38" fill="#444">${escapeXml(caption)}</text>`,
    `<rect x="${layout.labelWidth}" y="46" width="10" height="10" fill="${colors.ours}"/><text x="${layout.labelWidth + 14}" y="55">ours</text>`,
    `<rect x="${layout.labelWidth + 60}" y="46" width="10" height="10" fill="${colors.powertools}"/><text x="${layout.labelWidth + 74}" y="55">Powertools</text>`,
    ...parts,
    '</svg>',
    '',
  ].join('\n');
}

function escapeXml(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}
