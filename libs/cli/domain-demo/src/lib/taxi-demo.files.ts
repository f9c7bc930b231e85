/** The demo's month files: a month's CSV (optionally sampled) and its split by pickup day. */
import fs from 'node:fs';
import path from 'node:path';
import type { TaxiDemoOptions } from './taxi-demo.types';

/** The month's CSV, or its first `sampleRows` trips copied into `workDir`. */
export function sourceFile(options: TaxiDemoOptions, month: string, workDir: string): string {
  const file = path.join(options.datasetsDir, `yellow_tripdata_sample_${month}.csv`);
  if (!fs.existsSync(file)) throw new Error(`no data for ${month}: ${file} does not exist`);
  if (options.sampleRows === undefined) return file;
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  const out = path.join(workDir, path.basename(file));
  fs.writeFileSync(out, lines.slice(0, options.sampleRows + 1).join('\n') + '\n');
  return out;
}

/**
 * Splits a month's CSV by pickup day into days 1–15 and 16–end (two files in `workDir`, same
 * header); also counts the second half's card trips (payment_type 1: the training set's rows).
 */
export function splitMonthFile(file: string, workDir: string): { first: string; second: string; secondCardTrips: number } {
  const lines = fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.length > 0);
  const header = lines[0] ?? '';
  const cols = header.split(',');
  const pickup = cols.indexOf('pickup_datetime');
  const payment = cols.indexOf('payment_type');
  if (pickup < 0) throw new Error(`${file}: no pickup_datetime column in the header`);
  const first: string[] = [header];
  const second: string[] = [header];
  let secondCardTrips = 0;
  for (const line of lines.slice(1)) {
    const cells = line.split(',');
    const day = Number((cells[pickup] ?? '').slice(8, 10));
    if (day >= 1 && day <= 15) first.push(line);
    else {
      second.push(line);
      if (payment >= 0 && cells[payment] === '1') secondCardTrips++;
    }
  }
  const base = path.basename(file, '.csv');
  const a = path.join(workDir, `${base}-days-01-15.csv`);
  const b = path.join(workDir, `${base}-days-16-end.csv`);
  fs.writeFileSync(a, first.join('\n') + '\n');
  fs.writeFileSync(b, second.join('\n') + '\n');
  return { first: a, second: b, secondCardTrips };
}
