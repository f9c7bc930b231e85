/**
 * Column types of a CSV sample, for `strata init --from-csv`: the dataset spec types of
 * libs/ingestion (INT64, FLOAT64, STRING, TIMESTAMP with an optional epoch `format`).
 */
export interface InferredColumn {
  name: string;
  type: 'INT64' | 'FLOAT64' | 'STRING' | 'TIMESTAMP' | 'BOOL';
  nullable: boolean;
  format?: 'epoch_s' | 'epoch_ms';
}

/**
 * The field delimiter of a header line: the most frequent of `,`, tab and `;` outside quotes
 * (`,` when none occurs). Tab-separated files named `.csv` are common (e.g. Feast's
 * driver_orders.csv); DuckDB's sniffer reads them, so `init` must too.
 */
export function detectDelimiter(headerLine: string): ',' | '\t' | ';' {
  const counts = new Map<string, number>([[',', 0], ['\t', 0], [';', 0]]);
  let quoted = false;
  for (const c of headerLine) {
    if (c === '"') quoted = !quoted;
    else if (!quoted && counts.has(c)) counts.set(c, (counts.get(c) ?? 0) + 1);
  }
  const [best, n] = [...counts.entries()].sort((a, b) => b[1] - a[1])[0] ?? [',', 0];
  return (n > 0 ? best : ',') as ',' | '\t' | ';';
}

/** Splits one CSV line (RFC 4180 quotes; no line breaks inside fields) on `delimiter`. */
export function splitCsvLine(line: string, delimiter = ','): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cur += c;
    } else if (c === '"') quoted = true;
    else if (c === delimiter) {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

const INT = /^-?\d+$/;
const FLOAT = /^-?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const ISO_TIME = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/;

/**
 * Infers each column's type from the header and sample rows: all integers → INT64 (or, for the
 * `timestampColumn`, TIMESTAMP epoch_s / epoch_ms by magnitude), all numbers → FLOAT64, ISO dates
 * → TIMESTAMP, true/false → BOOL, else STRING; nullable when any value is empty.
 */
export function inferColumns(csv: string, timestampColumn?: string, sampleRows = 2000): InferredColumn[] {
  const lines = csv.split(/\r?\n/).filter((l) => l.trim() !== '');
  const delimiter = detectDelimiter(lines[0] ?? '');
  const header = splitCsvLine(lines[0] ?? '', delimiter).map((h) => h.trim());
  if (header.length === 0 || header[0] === '') throw new Error('the CSV has no header row');
  const rows = lines.slice(1, 1 + sampleRows).map((l) => splitCsvLine(l, delimiter));
  return header.map((name, j) => {
    const values = rows.map((r) => (r[j] ?? '').trim());
    const present = values.filter((v) => v !== '');
    const nullable = present.length < values.length;
    const all = (re: RegExp): boolean => present.length > 0 && present.every((v) => re.test(v));
    if (all(INT)) {
      if (name === timestampColumn) {
        const max = Math.max(...present.map(Number));
        return { name, type: 'TIMESTAMP', nullable, format: max >= 1e11 ? 'epoch_ms' : 'epoch_s' };
      }
      return { name, type: 'INT64', nullable };
    }
    if (all(FLOAT)) return { name, type: 'FLOAT64', nullable };
    if (all(ISO_TIME)) return { name, type: 'TIMESTAMP', nullable };
    if (all(/^(true|false)$/i)) return { name, type: 'BOOL', nullable };
    return { name, type: 'STRING', nullable };
  });
}
