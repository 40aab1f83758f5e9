/**
 * The YCSB throughputs as hand-written SVG: one panel per workload (two columns of three),
 * one pair of bars per subject (zipfian/latest and uniform), log scale, "cannot scan"
 * written where a subject has no ordered scan.
 */
import { formatRate } from '../run-subject.js';
import { distributionLabel } from './report-markdown.js';
import type { YcsbResult } from './run-ycsb.js';
import { type Distribution, runOrder, workloads } from './workloads.js';

const colours: Record<Distribution, string> = { zipfian: '#2f6fb3', uniform: '#e08a2e' };
const panelWidth = 560;
const labelWidth = 250;
const barHeight = 7;
const rowGap = 5;

export function renderYcsbSvg(result: YcsbResult): string {
  const { settings, machine } = result;
  const panels = runOrder.filter((id) => settings.workloads.includes(id));
  const subjects = result.subjects;
  const throughputs = subjects.flatMap((s) =>
    s.runs.filter((r) => !r.cannot && r.throughput > 0).map((r) => r.throughput),
  );
  const low = 10 ** Math.floor(Math.log10(Math.max(1, Math.min(...throughputs, 100))));
  const high = 10 ** Math.ceil(Math.log10(Math.max(...throughputs, 1000)));
  const plotWidth = panelWidth - labelWidth - 60;
  const x = (value: number) => labelWidth + (plotWidth * Math.log10(value / low)) / Math.log10(high / low);
  const rowHeight = barHeight * settings.distributions.length + rowGap;
  const panelHeight = 40 + subjects.length * rowHeight + 30;
  const top = 60;
  const parts: string[] = [];
  panels.forEach((id, index) => {
    const workload = workloads.find((w) => w.id === id);
    const left = (index % 2) * panelWidth;
    const y0 = top + Math.floor(index / 2) * panelHeight;
    parts.push(`<g transform="translate(${left},${y0})">`);
    parts.push(`<text x="10" y="16" class="panel">${escapeXml(workload?.title ?? id)}</text>`);
    for (let tick = low; tick <= high; tick *= 10) {
      const tx = x(tick).toFixed(1);
      parts.push(
        `<line x1="${tx}" y1="26" x2="${tx}" y2="${panelHeight - 24}" class="grid"/>`,
        `<text x="${tx}" y="${panelHeight - 12}" class="tick">${tickLabel(tick)}</text>`,
      );
    }
    subjects.forEach((subject, row) => {
      const y = 30 + row * rowHeight;
      parts.push(
        `<text x="${labelWidth - 6}" y="${y + barHeight + 3}" class="label">${escapeXml(subject.label)}</text>`,
      );
      settings.distributions.forEach((distribution, slot) => {
        const run = subject.runs.find((r) => r.workload === id && r.distribution === distribution);
        const by = y + slot * barHeight;
        if (run?.cannot) {
          if (slot === 0)
            parts.push(`<text x="${labelWidth + 4}" y="${y + barHeight + 3}" class="cannot">cannot scan</text>`);
          return;
        }
        if (!run || !(run.throughput > 0)) {
          if (slot === 0)
            parts.push(`<text x="${labelWidth + 4}" y="${y + barHeight + 3}" class="cannot">no figure</text>`);
          return;
        }
        const end = Math.max(labelWidth + 1, x(run.throughput));
        parts.push(
          `<rect x="${labelWidth}" y="${by}" width="${(end - labelWidth).toFixed(1)}" height="${barHeight - 1}" fill="${colours[distribution]}"${run.partial ? ' fill-opacity="0.6"' : ''}><title>${escapeXml(`${subject.label}, ${id} ${distributionLabel(id, distribution)}: ${formatRate(run.throughput)} ops/s`)}</title></rect>`,
          `<text x="${(end + 3).toFixed(1)}" y="${by + barHeight - 1}" class="value">${formatRate(run.throughput)}</text>`,
        );
      });
    });
    parts.push('</g>');
  });
  const width = panelWidth * Math.min(2, panels.length);
  const height = top + Math.ceil(panels.length / 2) * panelHeight + 10;
  const legend = settings.distributions
    .map(
      (distribution, index) =>
        `<rect x="${width - 300 + index * 150}" y="30" width="12" height="12" fill="${colours[distribution]}"/><text x="${width - 284 + index * 150}" y="40" class="legend">${distribution === 'zipfian' ? 'zipfian (D: latest)' : distribution}</text>`,
    )
    .join('');
  const title = `YCSB, ${settings.records.toLocaleString('en-US')} records of ${settings.recordBytes} B: ops/s, log scale`;
  const subtitle = `${machine.cpu}, ${machine.cores} cores, Node ${machine.node}, ${machine.date.slice(0, 16).replace('T', ' ')} UTC; one client; pale bars stopped at the time budget`;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif">
<style>
.title{font-size:15px;font-weight:bold}.subtitle{font-size:11px;fill:#555}.panel{font-size:13px;font-weight:bold}
.label{font-size:10px;text-anchor:end}.legend{font-size:11px}.value{font-size:8px;fill:#333}.cannot{font-size:10px;fill:#a33;font-style:italic}
.tick{font-size:9px;fill:#666;text-anchor:middle}.grid{stroke:#ddd;stroke-width:1}
</style>
<rect width="100%" height="100%" fill="white"/>
<text x="10" y="20" class="title">${escapeXml(title)}</text>
<text x="10" y="38" class="subtitle">${escapeXml(subtitle)}</text>
${legend}
${parts.join('\n')}
</svg>
`;
}

function tickLabel(value: number): string {
  if (value >= 1e6) return `${value / 1e6}M`;
  if (value >= 1e3) return `${value / 1e3}k`;
  return String(value);
}

function escapeXml(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');
}
