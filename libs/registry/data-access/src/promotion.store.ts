import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { MetricValue } from './registry.types';
import { qualified } from './tracking.store';
import type { PromotionDecision, PromotionPolicy } from './tracking.types';

type Row = Record<string, unknown>;

function toPolicy(r: Row): PromotionPolicy {
  return {
    name: String(r['name']),
    metric: String(r['metric']),
    direction: r['direction'] as PromotionPolicy['direction'],
    minMargin: Number(r['min_margin']),
    autoPromote: Boolean(r['auto_promote']),
    rollout: (r['rollout'] as PromotionPolicy['rollout'] | null | undefined) ?? null,
    fairness: (r['fairness'] as PromotionPolicy['fairness'] | null | undefined) ?? null,
    updatedBy: String(r['updated_by']),
    updatedAt: (r['updated_at'] as Date).toISOString(),
  };
}

function toDecision(r: Row): PromotionDecision {
  return {
    id: Number(r['id']),
    name: String(r['name']),
    challengerVersion: Number(r['challenger_version']),
    championVersion: r['champion_version'] === null ? null : Number(r['champion_version']),
    metric: String(r['metric']),
    direction: r['direction'] as PromotionDecision['direction'],
    minMargin: Number(r['min_margin']),
    challengerValue: (r['challenger_value'] as MetricValue | null) ?? null,
    championValue: (r['champion_value'] as MetricValue | null) ?? null,
    improvement: r['improvement'] === null ? null : Number(r['improvement']),
    challengerEvaluationDigest: (r['challenger_evaluation_digest'] as string | null) ?? null,
    championEvaluationDigest: (r['champion_evaluation_digest'] as string | null) ?? null,
    evidence: (r['evidence'] as PromotionDecision['evidence'] | null | undefined) ?? null,
    outcome: r['outcome'] as PromotionDecision['outcome'],
    applied: Boolean(r['applied']),
    reason: String(r['reason']),
    trigger: String(r['trigger']),
    actor: String(r['actor']),
    requestId: (r['request_id'] as string | null) ?? null,
    decidedAt: (r['decided_at'] as Date).toISOString(),
  };
}

/** PostgreSQL access of promotion policies and decisions (raw SQL on the service schema). */
@Injectable()
export class PromotionStore {
  /** Creates or replaces the policy of a model. */
  async upsertPolicy(m: EntityManager, p: Omit<PromotionPolicy, 'updatedAt'> & { updatedAt: Date }): Promise<PromotionPolicy> {
    const rows: Row[] = await m.query(
      `INSERT INTO ${qualified(m, 'promotion_policy')} (name, metric, direction, min_margin, auto_promote, rollout, updated_by, updated_at, fairness)
       VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $8, $9::jsonb)
       ON CONFLICT (name) DO UPDATE SET metric = EXCLUDED.metric, direction = EXCLUDED.direction, min_margin = EXCLUDED.min_margin,
         auto_promote = EXCLUDED.auto_promote, rollout = EXCLUDED.rollout, fairness = EXCLUDED.fairness, updated_by = EXCLUDED.updated_by, updated_at = EXCLUDED.updated_at
       RETURNING *`,
      [p.name, p.metric, p.direction, p.minMargin, p.autoPromote, p.rollout === null ? null : JSON.stringify(p.rollout), p.updatedBy, p.updatedAt, p.fairness === null ? null : JSON.stringify(p.fairness)],
    );
    return toPolicy(rows[0] as Row);
  }

  /** The policy of a model, or null. */
  async getPolicy(m: EntityManager, name: string): Promise<PromotionPolicy | null> {
    const rows: Row[] = await m.query(`SELECT * FROM ${qualified(m, 'promotion_policy')} WHERE name = $1`, [name]);
    return rows[0] ? toPolicy(rows[0]) : null;
  }

  /** Appends a decision. */
  async insertDecision(m: EntityManager, d: Omit<PromotionDecision, 'id' | 'decidedAt' | 'evidence'> & { decidedAt: Date; evidence?: PromotionDecision['evidence'] }): Promise<PromotionDecision> {
    const rows: Row[] = await m.query(
      `INSERT INTO ${qualified(m, 'promotion_decision')} (name, challenger_version, champion_version, metric, direction, min_margin,
         challenger_value, champion_value, improvement, challenger_evaluation_digest, champion_evaluation_digest, outcome, applied,
         reason, trigger, actor, request_id, decided_at, evidence)
       VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8::jsonb, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19::jsonb) RETURNING *`,
      [
        d.name,
        d.challengerVersion,
        d.championVersion,
        d.metric,
        d.direction,
        d.minMargin,
        d.challengerValue === null ? null : JSON.stringify(d.challengerValue),
        d.championValue === null ? null : JSON.stringify(d.championValue),
        d.improvement,
        d.challengerEvaluationDigest,
        d.championEvaluationDigest,
        d.outcome,
        d.applied,
        d.reason,
        d.trigger,
        d.actor,
        d.requestId,
        d.decidedAt,
        d.evidence ? JSON.stringify(d.evidence) : null,
      ],
    );
    return toDecision(rows[0] as Row);
  }

  /** Decisions of a model, newest first. */
  async listDecisions(m: EntityManager, name: string, page: { limit: number; offset: number }): Promise<PromotionDecision[]> {
    const rows: Row[] = await m.query(
      `SELECT * FROM ${qualified(m, 'promotion_decision')} WHERE name = $1 ORDER BY id DESC LIMIT ${page.limit} OFFSET ${page.offset}`,
      [name],
    );
    return rows.map(toDecision);
  }

  /** One decision of a model, or null. */
  async getDecision(m: EntityManager, name: string, id: number): Promise<PromotionDecision | null> {
    const rows: Row[] = await m.query(`SELECT * FROM ${qualified(m, 'promotion_decision')} WHERE name = $1 AND id = $2`, [name, id]);
    return rows[0] ? toDecision(rows[0]) : null;
  }
}
