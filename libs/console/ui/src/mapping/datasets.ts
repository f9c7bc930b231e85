import { DatasetProfileSchema, DatasetValidationSchema, fillPath, IngestionApi, type ColumnProfile, type Dataset, type DatasetVersion } from '@strata/contracts/api';
import { formatTime, shortDigest } from './format';

/** One row of the Datasets list. */
export interface DatasetRow {
  name: string;
  /** Declared columns of the spec (`columns[]` of dataset.yaml), 0 when the spec has none. */
  columns: number;
  /** The spec's `description`, or `—`. */
  description: string;
  updatedAt: string;
}

/** Datasets (`GET /datasets`) → rows, by name. */
export function datasetRows(datasets: readonly Dataset[]): DatasetRow[] {
  return [...datasets]
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((d) => {
      const spec = d.spec as { columns?: unknown; description?: unknown };
      return {
        name: d.name,
        columns: Array.isArray(spec.columns) ? spec.columns.length : 0,
        description: typeof spec.description === 'string' && spec.description ? spec.description : '—',
        updatedAt: formatTime(d.updatedAt),
      };
    });
}

/** One row of a dataset's versions table. */
export interface DatasetVersionRow {
  versionId: string;
  createdAt: string;
  rows: number;
  /** `12.3 MB` (decimal units). */
  size: string;
  sha256: string;
  /** `reject` | `quarantine` | `—`. */
  policy: string;
  /** Rows set aside by validation (quarantine file's rows; 0 when none). */
  quarantined: number;
  /** The version this one extends (streamed micro-batches), or null. */
  parent: string | null;
}

/** Versions (`GET /datasets/{name}/versions`, oldest first) → rows, newest first. */
export function datasetVersionRows(versions: readonly DatasetVersion[]): DatasetVersionRow[] {
  return [...versions]
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.versionId.localeCompare(a.versionId))
    .map((v) => {
      const validation = validationReport(v.validation);
      return {
        versionId: v.versionId,
        createdAt: formatTime(v.createdAt),
        rows: v.rowCount,
        size: formatBytes(v.sizeBytes),
        sha256: shortDigest(v.contentSha256),
        policy: validation?.policy ?? '—',
        quarantined: validation?.quarantinedRows ?? 0,
        parent: v.parentVersionId,
      };
    });
}

/** One column of a version's profile, formatted. */
export interface ProfileRow {
  name: string;
  type: string;
  /** `0` or `12 (3.4%)`. */
  nulls: string;
  distinct: string;
  min: string;
  max: string;
  mean: string;
  stddev: string;
  /** p50 (median), `—` for non-numeric columns. */
  median: string;
  /** Most frequent values `value (count)`, at most 5, `—` when not profiled. */
  top: string;
}

/** `DatasetVersion.profile` → one row per column (in the dataset's column order); [] when the profile is not the expected shape. */
export function profileRows(profile: unknown): ProfileRow[] {
  const parsed = DatasetProfileSchema.safeParse(profile);
  if (!parsed.success) return [];
  return parsed.data.columns.map((c: ColumnProfile) => ({
    name: c.name,
    type: c.type,
    nulls: c.nullCount === 0 ? '0' : `${c.nullCount} (${c.count ? ((100 * c.nullCount) / c.count).toFixed(1) : '0.0'}%)`,
    distinct: `≈${c.distinctApprox}`,
    min: scalar(c.min),
    max: scalar(c.max),
    mean: num(c.mean),
    stddev: num(c.stddev),
    median: c.quantiles?.['p50'] === undefined ? '—' : num(c.quantiles['p50']),
    top: c.topValues?.length ? c.topValues.slice(0, 5).map((t) => `${scalar(t.value)} (${t.count})`).join(', ') : '—',
  }));
}

/** The validation report of a version, for display. */
export interface ValidationReport {
  policy: string;
  inputRows: number;
  invalidRows: number;
  issueCount: number;
  /** Rows in the quarantine file (0 when none was written). */
  quarantinedRows: number;
  /** Whether ingestion has a quarantine file to download. */
  downloadable: boolean;
  /** The first issues (at most 20): `row 3, age [type]: value 'x' is not a valid INT64`. */
  issues: string[];
}

/** `DatasetVersion.validation` → its report; null when it is not the expected shape (older versions). */
export function validationReport(validation: unknown): ValidationReport | null {
  const parsed = DatasetValidationSchema.safeParse(validation);
  if (!parsed.success) return null;
  const v = parsed.data;
  const quarantinedRows = v.quarantine?.rowCount ?? 0;
  return {
    policy: v.policy,
    inputRows: v.inputRowCount,
    invalidRows: v.invalidRowCount,
    issueCount: v.issueCount,
    quarantinedRows,
    downloadable: quarantinedRows > 0,
    issues: v.issues.slice(0, 20).map((i) => `row ${i.row}, ${i.column} [${i.rule}]: ${i.message}`),
  };
}

/**
 * Path (through the console's proxy) of ingestion's quarantine download of a version, CSV:
 * `/api/ingestion/datasets/{name}/versions/{versionId}/quarantine?format=csv`.
 */
export function quarantineDownloadPath(datasetName: string, versionId: string): string {
  return `/api/ingestion${fillPath(IngestionApi.downloadQuarantine.path, { name: datasetName, versionId })}?format=csv`;
}

/** `12.3 MB` (decimal units, as ingestion reports sizes). */
export function formatBytes(n: number): string {
  if (n < 1000) return `${n} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let v = n;
  let u = -1;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return `${v.toFixed(1)} ${units[u]}`;
}

function scalar(v: unknown): string {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'number') return num(v);
  return String(v);
}

function num(v: number | null | undefined): string {
  if (v === null || v === undefined) return '—';
  return Number.isInteger(v) ? String(v) : Math.abs(v) >= 1000 ? v.toFixed(1) : v.toPrecision(4).replace(/\.?0+$/, '');
}
