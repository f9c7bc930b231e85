/**
 * Roles and the permission matrix: the ONE table the platform guard uses (docs/security.md shows
 * the same matrix; a unit test keeps them in sync).
 */

/** Resource types a permission is about (one or more per service). */
export const RESOURCE_TYPES = [
  'datasets', // ingestion: datasets, versions, records
  'features', // features: entities, feature views, materialization, online/offline reads, training sets
  'training', // training: runs
  'models', // registry: experiments, runs, registered models, versions, lineage, artifacts
  'aliases', // registry: champion/challenger aliases
  'rollouts', // registry: canary/shadow rollouts
  'serving', // serving: loaded models, serving configuration
  'inference', // serving: infer/predict endpoints
  'monitoring', // monitoring: reference profiles, drift, performance, alerts, feedback
  'dead-letters', // messaging: dead-letter inspection and replay
  'audit', // platform: the audit log
  'keys', // platform: API keys and their roles
] as const;
/** A resource type of {@link RESOURCE_TYPES}. */
export type ResourceType = (typeof RESOURCE_TYPES)[number];

/** `read` = GET-like, `write` = create/update/delete, `execute` = run (inference). */
export const ACTIONS = ['read', 'write', 'execute'] as const;
/** An action of {@link ACTIONS}. */
export type Action = (typeof ACTIONS)[number];

/** `<resource>:<action>`, e.g. `models:write`. */
export type Permission = `${ResourceType}:${Action}`;

/** Human roles and the narrow `inference` role. Service roles are `service:<name>` (see {@link SERVICE_ROLE_PERMISSIONS}). */
export const ROLES = ['viewer', 'data-scientist', 'ml-engineer', 'admin', 'inference'] as const;
/** A role of {@link ROLES}. */
export type HumanRole = (typeof ROLES)[number];

const READ_ALL: Permission[] = [
  'datasets:read',
  'features:read',
  'training:read',
  'models:read',
  'aliases:read',
  'rollouts:read',
  'serving:read',
  'monitoring:read',
  'dead-letters:read',
];

/**
 * The permission matrix: what each role may do. Roles do not inherit implicitly; the lists are
 * spelled out so the table is the whole truth.
 */
export const ROLE_PERMISSIONS: Readonly<Record<HumanRole, readonly Permission[]>> = Object.freeze({
  viewer: READ_ALL,
  'data-scientist': [...READ_ALL, 'datasets:write', 'features:write', 'training:write', 'models:write', 'monitoring:write', 'inference:execute'],
  'ml-engineer': [...READ_ALL, 'aliases:write', 'rollouts:write', 'serving:write', 'monitoring:write', 'dead-letters:write', 'inference:execute'],
  admin: [...READ_ALL, ...(['datasets', 'features', 'training', 'models', 'aliases', 'rollouts', 'serving', 'monitoring', 'dead-letters', 'keys'] as const).map((r) => `${r}:write` as Permission), 'inference:execute', 'audit:read', 'keys:read'],
  inference: ['inference:execute'],
});

/**
 * What each service's own credential (`service:<name>`) may do on the OTHER services: exactly the
 * calls it makes (docs/service-apis.md), nothing more. Not an admin key.
 */
export const SERVICE_ROLE_PERMISSIONS: Readonly<Record<string, readonly Permission[]>> = Object.freeze({
  ingestion: ['datasets:read'],
  features: ['datasets:read', 'features:read'],
  // aliases:read: the evaluate step reads the model's promotion policy (its fairness segment, issue #17)
  training: ['datasets:read', 'features:read', 'features:write', 'models:read', 'models:write', 'aliases:read', 'aliases:write', 'training:read'],
  registry: ['models:read', 'training:read'],
  // datasets:read + features:write: batch scoring over a dataset version reads the version and builds the
  // model's training-set definition over it (POST /training-sets on features) to compute its features.
  serving: ['models:read', 'aliases:read', 'rollouts:read', 'features:read', 'features:write', 'datasets:read', 'serving:read'],
  monitoring: ['models:read', 'aliases:read', 'rollouts:read', 'rollouts:write', 'features:read', 'datasets:read', 'training:write', 'monitoring:read'],
});

/** Every role name accepted in keys and tokens: the human roles and `service:<name>`. */
export function isKnownRole(role: string): boolean {
  if ((ROLES as readonly string[]).includes(role)) return true;
  const m = /^service:([a-z][a-z0-9-]*)$/.exec(role);
  return m?.[1] !== undefined && m[1] in SERVICE_ROLE_PERMISSIONS;
}

/** The permissions a role grants (empty for unknown roles: unknown roles grant nothing). */
export function permissionsOf(role: string): readonly Permission[] {
  if ((ROLES as readonly string[]).includes(role)) return ROLE_PERMISSIONS[role as HumanRole];
  const m = /^service:([a-z][a-z0-9-]*)$/.exec(role);
  return (m?.[1] !== undefined && SERVICE_ROLE_PERMISSIONS[m[1]]) || [];
}

/** Who is calling, once authenticated. */
export interface Principal {
  /** Stable id: `key:<keyId>` for API keys, `jwt:<iss>#<sub>` for tokens. */
  id: string;
  /** Display name (key name or token `sub`/`preferred_username`). */
  name: string;
  /** How they authenticated. */
  via: 'api-key' | 'jwt' | 'anonymous';
  roles: string[];
  /** Projects the principal is limited to; null = all projects. */
  projects: string[] | null;
}

/**
 * Whether `principal` may perform `action` on `resource` (in `project`, when the route names one).
 * A project-scoped principal may act only on routes that name one of its projects.
 */
export function isAllowed(principal: Principal, resource: ResourceType, action: Action, project?: string): boolean {
  const wanted = `${resource}:${action}` as Permission;
  if (!principal.roles.some((r) => permissionsOf(r).includes(wanted))) return false;
  if (principal.projects === null) return true;
  return project !== undefined && principal.projects.includes(project);
}

/**
 * The permission matrix as a Markdown table (rows: `resource:action`, columns: human roles),
 * exactly as docs/security.md shows it (a unit test compares them).
 */
export function renderPermissionMatrixMarkdown(): string {
  const perms: Permission[] = [];
  for (const r of RESOURCE_TYPES) for (const a of ACTIONS) if (ROLES.some((role) => ROLE_PERMISSIONS[role].includes(`${r}:${a}`))) perms.push(`${r}:${a}`);
  const lines = [`| permission | ${ROLES.join(' | ')} |`, `| --- | ${ROLES.map(() => ':-:').join(' | ')} |`];
  for (const p of perms) lines.push(`| \`${p}\` | ${ROLES.map((role) => (ROLE_PERMISSIONS[role].includes(p) ? '✔' : '')).join(' | ')} |`);
  return lines.join('\n');
}

/** The service roles as a Markdown table (`service:<name>` → permissions). */
export function renderServiceRolesMarkdown(): string {
  const lines = ['| role | permissions |', '| --- | --- |'];
  for (const [svc, perms] of Object.entries(SERVICE_ROLE_PERMISSIONS)) lines.push(`| \`service:${svc}\` | ${perms.map((p) => `\`${p}\``).join(', ')} |`);
  return lines.join('\n');
}
