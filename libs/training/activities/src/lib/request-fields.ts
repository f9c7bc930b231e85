import { ServiceClient } from '@strata/shared/data-access-strata-client';

/** A request field of a model: a column one of its on-demand feature views takes from the request. */
export interface RecordedRequestField {
  name: string;
  /** Feature-repo value type (INT32, INT64, FLOAT32, FLOAT64, STRING, BOOL, TIMESTAMP). */
  dtype: string;
}

interface ViewBody {
  name?: unknown;
  requestSchema?: Array<{ name?: unknown; dtype?: unknown }>;
}

/**
 * The request fields of the views a model's features come from, as the feature repo defines them
 * when the model is trained (`GET {featuresUrl}/feature-views`): the union of the `requestSchema`
 * of the referenced views, in first-seen order (ref order). Recorded in the ONNX metadata
 * (`strata.request_fields`), so serving checks `/predict` request fields against what the model
 * was trained with, not against a feature repo that changed since. Empty when no ref names an
 * on-demand view or there are no refs. Best effort: undefined when the features service has no
 * `/feature-views` (404), does not answer, refuses the call or answers something other than a list of
 * views or misses a referenced view: nothing is recorded, training goes on, and serving reads the request fields from the feature
 * repo (as for versions trained before issue 18). Never throws.
 */
export async function requestFieldsOfRefs(featuresUrl: string, featureRefs: readonly string[]): Promise<RecordedRequestField[] | undefined> {
  if (featureRefs.length === 0) return [];
  let answer: { status: number; body: unknown };
  try {
    answer = await new ServiceClient({ baseUrl: featuresUrl, service: 'features' }).request('GET', '/feature-views', { accept: [404], timeoutMs: 10_000 });
  } catch {
    return undefined; // unreachable, 5xx, or refused (401/403/429): the model is recorded without them
  }
  const { status, body } = answer;
  if (status === 404) return undefined;
  if (!Array.isArray(body)) return undefined; // not a feature repo listing (an older or stand-in features service)
  const byName = new Map((body as ViewBody[]).filter((v) => typeof v?.name === 'string').map((v) => [v.name as string, v]));
  const out: RecordedRequestField[] = [];
  const seen = new Set<string>();
  const views = [...new Set(featureRefs.map((r) => r.split(':', 1)[0]!))];
  if (views.some((v) => !byName.has(v))) return undefined; // the listing does not describe every view: record nothing
  for (const view of views) {
    for (const f of byName.get(view)?.requestSchema ?? []) {
      if (typeof f?.name !== 'string' || typeof f.dtype !== 'string' || seen.has(f.name)) continue;
      seen.add(f.name);
      out.push({ name: f.name, dtype: f.dtype });
    }
  }
  return out;
}
