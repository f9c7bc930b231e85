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
export function VersionButtons({ versions, shown, onChoose }: { versions: readonly number[]; shown: number; onChoose: (version: number) => void }) {
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
