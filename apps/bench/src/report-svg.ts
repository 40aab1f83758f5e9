/**
 * A bar chart of the ops/s table as hand-written SVG: one group of bars per workload, one bar
 * per subject, on a log scale (rates span five orders of magnitude), coloured by kind of subject.
 */

import { rateWorkloads, workloadTitle } from './report-markdown.js';
import type { BenchResult } from './results.js';
import { formatRate } from './run-subject.js';
import type { SubjectGroup } from './subject.js';

const colours: Record<SubjectGroup, string> = { reference: '#8c8c8c', stowage: '#2f6fb3', peer: '#e08a2e' };
const width = 960;
const labelWidth = 290;
const valueWidth = 90;
const barHeight = 14;
const gap = 4;
const groupGap = 30;

export function renderSvg(result: BenchResult): string {
  const labels = new Map(result.subjects.map((subject) => [subject.id, subject]));
  // Bars in the tables' order of subjects, whatever order they ran in.
  const order = (id: string) => result.subjects.findIndex((subject) => subject.id === id);
  const groups = rateWorkloads
    .map((workload) => ({
      workload,
      bars: result.measurements
        .filter((m) => m.workload === workload && m.value > 0 && Number.isFinite(m.value))
        .sort((a, b) => order(a.subject) - order(b.subject)),
    }))
    .filter((group) => group.bars.length > 0);
  const values = groups.flatMap((group) => group.bars.map((bar) => bar.value));
  const low = 10 ** Math.floor(Math.log10(Math.min(...values, 10)));
  const high = 10 ** Math.ceil(Math.log10(Math.max(...values, 100)));
  const plotLeft = labelWidth;
  const plotWidth = width - labelWidth - valueWidth;
  const x = (value: number) => plotLeft + (plotWidth * Math.log10(value / low)) / Math.log10(high / low);

  const parts: string[] = [];
  let y = 70;
  for (const group of groups) {
    parts.push(`<text x="10" y="${y}" class="group">${escapeXml(workloadTitle(group.workload))} (ops/s)</text>`);
    y += 10;
    for (const bar of group.bars) {
      const subject = labels.get(bar.subject);
      const colour = colours[subject?.group ?? 'reference'];
      const end = Math.max(plotLeft + 1, x(bar.value));
      parts.push(
        `<text x="${plotLeft - 6}" y="${y + barHeight - 3}" class="label">${escapeXml(subject?.label ?? bar.subject)}</text>`,
        `<rect x="${plotLeft}" y="${y}" width="${(end - plotLeft).toFixed(1)}" height="${barHeight}" fill="${colour}"${bar.partial ? ' fill-opacity="0.55"' : ''}/>`,
        `<text x="${(end + 4).toFixed(1)}" y="${y + barHeight - 3}" class="value">${formatRate(bar.value)}${bar.partial ? '*' : ''}</text>`,
      );
      y += barHeight + gap;
    }
    y += groupGap;
  }
  const height = y + 20;
  const grid: string[] = [];
  for (let tick = low; tick <= high; tick *= 10) {
    const tx = x(tick).toFixed(1);
    grid.push(
      `<line x1="${tx}" y1="50" x2="${tx}" y2="${height - 30}" class="grid"/>`,
      `<text x="${tx}" y="${height - 14}" class="tick">${tickLabel(tick)}</text>`,
    );
  }
  const { machine, options } = result;
  const title = `Stowage bench, ${options.keys.toLocaleString('en-US')} keys: ops/s, log scale (* = stopped at the time budget)`;
  const subtitle = `${machine.cpu}, ${machine.cores} cores, Node ${machine.node}, ${machine.date.slice(0, 16).replace('T', ' ')} UTC`;
  const legend = (Object.entries(colours) as [SubjectGroup, string][])
    .map(
      ([group, colour], index) =>
        `<rect x="${width - 330 + index * 110}" y="30" width="12" height="12" fill="${colour}"/><text x="${width - 314 + index * 110}" y="40" class="label-left">${group}</text>`,
    )
    .join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif">
<style>
.title{font-size:15px;font-weight:bold}.subtitle{font-size:11px;fill:#555}.group{font-size:13px;font-weight:bold}
.label{font-size:11px;text-anchor:end}.label-left{font-size:11px}.value{font-size:10px;fill:#333}
.tick{font-size:10px;fill:#666;text-anchor:middle}.grid{stroke:#ddd;stroke-width:1}
</style>
<rect width="100%" height="100%" fill="white"/>
<text x="10" y="20" class="title">${escapeXml(title)}</text>
<text x="10" y="38" class="subtitle">${escapeXml(subtitle)}</text>
${legend}
${grid.join('\n')}
${parts.join('\n')}
</svg>
`;
}

/** 10, 100, 1k, ... 1M: powers of ten without decimals. */
function tickLabel(value: number): string {
  if (value >= 1e6) return `${value / 1e6}M`;
  if (value >= 1e3) return `${value / 1e3}k`;
  return String(value);
}

function escapeXml(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');
}
