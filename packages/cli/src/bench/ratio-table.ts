/**
 * The ratio table `sealflow bench` prints, rendered from the runner's
 * `bench/results/latest.json`. The file is read as untrusted input: every field is
 * checked, and rows that do not fit are skipped rather than trusted.
 */

/** The fields of one result row the table shows. */
export interface RatioRow {
  readonly suite: string;
  readonly workload: string;
  readonly contestant: string;
  readonly mibPerSecond: number | undefined;
  readonly ratioToRaw: number | undefined;
  readonly ratioToClientNode: number | undefined;
  readonly ratioToSingleThread: number | undefined;
}

/** The report, as far as the table needs it. */
export interface RatioReport {
  readonly mode: string;
  readonly effectiveCores: number | undefined;
  readonly rows: readonly RatioRow[];
}

const MAX_ROWS = 10_000;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length <= 200 ? v : undefined);

/**
 * Reads the report's JSON text. Rows of the suites with ratios (`messages`, `streams`)
 * that carry at least one ratio are kept.
 * @returns undefined when the text is not a bench report.
 */
export function parseRatioReport(text: string): RatioReport | undefined {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isObject(json) || !Array.isArray(json['rows'])) return undefined;
  const machine = isObject(json['machine']) ? json['machine'] : {};
  const rows: RatioRow[] = [];
  for (const row of (json['rows'] as unknown[]).slice(0, MAX_ROWS)) {
    if (!isObject(row)) continue;
    const suite = str(row['suite']);
    const workload = str(row['workload']);
    const contestant = str(row['contestant']);
    if (suite === undefined || workload === undefined || contestant === undefined) continue;
    if (suite !== 'messages' && suite !== 'streams') continue;
    const parsed: RatioRow = {
      suite,
      workload,
      contestant,
      mibPerSecond: num(row['mibPerSecond']),
      ratioToRaw: num(row['ratioToRaw']),
      ratioToClientNode: num(row['ratioToClientNode']),
      ratioToSingleThread: num(row['ratioToSingleThread']),
    };
    if (
      parsed.ratioToRaw === undefined &&
      parsed.ratioToClientNode === undefined &&
      parsed.ratioToSingleThread === undefined
    )
      continue;
    rows.push(parsed);
  }
  return { mode: str(json['mode']) ?? 'unknown', effectiveCores: num(machine['effectiveCores']), rows };
}

const ratio = (v: number | undefined): string => (v === undefined ? '-' : `${v.toFixed(2)}x`);

/** A plain-text table: workload, contestant, MiB/s and the three ratios. */
export function renderRatioTable(report: RatioReport): string {
  const header = ['workload', 'contestant', 'MiB/s', 'vs node:crypto', 'vs client-node', 'vs 1 thread'];
  const body = report.rows.map((r) => [
    `${r.suite}: ${r.workload}`,
    r.contestant,
    r.mibPerSecond === undefined ? '-' : r.mibPerSecond.toFixed(0),
    ratio(r.ratioToRaw),
    ratio(r.ratioToClientNode),
    ratio(r.ratioToSingleThread),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => (row[i] as string).length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => (i < 2 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number)))
      .join('  ')
      .trimEnd();
  const title = `ratio table (${report.mode} run${report.effectiveCores === undefined ? '' : `, ${report.effectiveCores} effective cores`}; higher is better)`;
  if (body.length === 0) return `${title}\n(no rows with ratios in the results)\n`;
  return `${title}\n${line(header)}\n${body.map(line).join('\n')}\n`;
}
