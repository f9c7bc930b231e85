/**
 * The model version a per-version page shows: the one the user chose while the loaded windows still
 * have it, else the first of `versions` (the pages list them newest first); undefined when there are none.
 */
export function shownVersion(versions: readonly number[], chosen: number | undefined): number | undefined {
  return chosen !== undefined && versions.includes(chosen) ? chosen : versions[0];
}
