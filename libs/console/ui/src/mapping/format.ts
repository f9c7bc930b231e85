import type { MetricValue } from '@strata/contracts/api';

/** A metric for display: 3 decimals for numbers, the string itself for non-finite values, `—` when absent. */
export function formatMetric(v: MetricValue | null | undefined, digits = 3): string {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'string') return v;
  return Number.isInteger(v) ? String(v) : v.toFixed(digits);
}

/** ISO-8601 time as `YYYY-MM-DD HH:MM` UTC (`—` when absent or invalid). */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : `${d.toISOString().slice(0, 16).replace('T', ' ')}`;
}

/** `abcdef0123…` (first `n` characters of a digest). */
export function shortDigest(digest: string | null | undefined, n = 12): string {
  return digest ? `${digest.slice(0, n)}…` : '—';
}
