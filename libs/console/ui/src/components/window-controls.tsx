import type { ReactNode } from 'react';
import { shownVersion } from '../mapping/version-choice';

/**
 * The window-size select of the per-window pages (monitoring, fairness): `options` as
 * `[value, label]` in the order shown.
 */
export function WindowSelect<K extends string>({ value, options, onChange }: { value: K; options: ReadonlyArray<readonly [K, string]>; onChange: (kind: K) => void }) {
  return (
    <div className="controls">
      <label>
        window{' '}
        <select value={value} onChange={(e) => onChange(e.target.value as K)}>
          {options.map(([v, label]) => (
            <option key={v} value={v}>
              {label}
            </option>
          ))}
        </select>
      </label>
    </div>
  );
}

/** One button per model version (`v3`), the shown one marked `active`. */
function VersionButtons({ versions, shown, onChoose }: { versions: readonly number[]; shown: number; onChoose: (version: number) => void }) {
  return (
    <div className="controls">
      version{' '}
      {versions.map((v) => (
        <button key={v} className={v === shown ? 'active' : ''} onClick={() => onChoose(v)}>
          v{v}
        </button>
      ))}
    </div>
  );
}

/**
 * The windows of one model version at a time: the version buttons over `versions` (newest first)
 * and `children` with the windows of the shown version (the chosen one while `versions` has it,
 * else the newest); `empty` when there is no version. The choice is the caller's state, so it
 * outlives a reload of the windows.
 */
export function VersionedWindows<W extends { modelVersion?: number | string }>({
  windows,
  versions,
  chosen,
  onChoose,
  empty,
  children,
}: {
  windows: readonly W[];
  versions: readonly number[];
  chosen: number | undefined;
  onChoose: (version: number) => void;
  empty: ReactNode;
  children: (windowsOfVersion: W[]) => ReactNode;
}) {
  const shown = shownVersion(versions, chosen);
  if (shown === undefined) return <>{empty}</>;
  return (
    <>
      <VersionButtons versions={versions} shown={shown} onChoose={onChoose} />
      {children(windows.filter((w) => Number(w.modelVersion) === shown))}
    </>
  );
}
