import type { ResultRow } from './results.js';
import { sizeLabel } from './units.js';

const COLORS: Record<string, string> = {
  'raw-node': '#6b7280',
  sealflow: '#2563eb',
  'sealflow-noble': '#93c5fd',
  'sealflow-workers-1': '#059669',
  'sealflow-workers-2': '#10b981',
  'sealflow-subtle': '#a855f7',
  'sealflow-native': '#dc2626',
  'sealflow-native-2': '#f87171',
  'client-node': '#f59e0b',
};

const escape = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * An SVG grouped bar chart: throughput (MiB/s) of every contestant, grouped by frame
 * length, for one message size, encrypt and decrypt side by side. Plain SVG, no library.
 */
export function throughputChart(rows: readonly ResultRow[], bytes: number, title: string): string {
  const messages = rows.filter((r) => r.suite === 'messages' && r.bytes === bytes && r.mibPerSecond !== undefined);
  const frameLengths = [...new Set(messages.map((r) => r.frameLength as number))].sort((a, b) => a - b);
  const contestants = Object.keys(COLORS).filter((c) => messages.some((r) => r.contestant === c));
  const max = Math.max(1, ...messages.map((r) => r.mibPerSecond as number));
  const step = 10 ** Math.floor(Math.log10(max));
  const top = Math.ceil(max / step) * step;
  const panelWidth = 470;
  const height = 440;
  const plot = { left: 60, top: 50, width: panelWidth - 80, height: 300 };
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${2 * panelWidth + 20}" height="${height}" font-family="sans-serif" font-size="11">`,
  );
  parts.push(`<rect width="100%" height="100%" fill="#ffffff"/>`);
  parts.push(
    `<text x="${panelWidth}" y="20" text-anchor="middle" font-size="14" font-weight="bold">${escape(title)}</text>`,
  );
  (['encrypt', 'decrypt'] as const).forEach((operation, panel) => {
    const x0 = panel * (panelWidth + 20);
    const y = (v: number): number => plot.top + plot.height - (v / top) * plot.height;
    parts.push(
      `<text x="${x0 + plot.left + plot.width / 2}" y="40" text-anchor="middle" font-size="12">${operation} ${sizeLabel(bytes)} (MiB/s)</text>`,
    );
    for (let tick = 0; tick <= top; tick += step) {
      parts.push(
        `<line x1="${x0 + plot.left}" x2="${x0 + plot.left + plot.width}" y1="${y(tick)}" y2="${y(tick)}" stroke="#e5e7eb"/>`,
      );
      parts.push(`<text x="${x0 + plot.left - 6}" y="${y(tick) + 4}" text-anchor="end" fill="#374151">${tick}</text>`);
    }
    const groupWidth = plot.width / Math.max(1, frameLengths.length);
    const barWidth = (groupWidth * 0.8) / Math.max(1, contestants.length);
    frameLengths.forEach((fl, g) => {
      const gx = x0 + plot.left + g * groupWidth + groupWidth * 0.1;
      contestants.forEach((name, i) => {
        const row = messages.find((r) => r.operation === operation && r.frameLength === fl && r.contestant === name);
        if (row?.mibPerSecond === undefined) return;
        const bx = gx + i * barWidth;
        parts.push(
          `<rect x="${bx.toFixed(1)}" y="${y(row.mibPerSecond).toFixed(1)}" width="${(barWidth - 1).toFixed(1)}" height="${(plot.top + plot.height - y(row.mibPerSecond)).toFixed(1)}" fill="${COLORS[name] ?? '#000'}"><title>${escape(`${name}: ${Math.round(row.mibPerSecond)} MiB/s`)}</title></rect>`,
        );
      });
      parts.push(
        `<text x="${(gx + groupWidth * 0.4).toFixed(1)}" y="${plot.top + plot.height + 16}" text-anchor="middle">${sizeLabel(fl)} frames</text>`,
      );
    });
    parts.push(
      `<line x1="${x0 + plot.left}" x2="${x0 + plot.left}" y1="${plot.top}" y2="${plot.top + plot.height}" stroke="#374151"/>`,
    );
  });
  contestants.forEach((name, i) => {
    const lx = 60 + (i % 4) * 230;
    const ly = height - 50 + Math.floor(i / 4) * 18;
    parts.push(
      `<rect x="${lx}" y="${ly - 10}" width="12" height="12" fill="${COLORS[name] ?? '#000'}"/><text x="${lx + 18}" y="${ly}">${escape(name)}</text>`,
    );
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
