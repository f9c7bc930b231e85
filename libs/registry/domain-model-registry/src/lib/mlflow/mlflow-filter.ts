import { InvalidArgumentError } from '@strata/shared/util-errors';

/** One comparison of an MLflow search filter, before it is checked against what an endpoint supports. */
export interface ParsedComparison {
  /** `metrics`, `params`, `tags`, `attributes` (also from `attribute`, `attr`, `run`), or `''` for a bare identifier. */
  entity: string;
  key: string;
  op: '=' | '!=' | '<' | '<=' | '>' | '>=' | 'LIKE' | 'ILIKE' | 'IN' | 'NOT IN';
  value: number | string | string[];
}

/** One term of an MLflow `order_by` list. */
export interface ParsedOrder {
  entity: string;
  key: string;
  desc: boolean;
}

type Tok = { t: 'ident' | 'str' | 'num' | 'op' | 'kw' | 'lp' | 'rp' | 'comma'; v: string };

const ENTITY_ALIASES: Record<string, string> = {
  metric: 'metrics',
  metrics: 'metrics',
  param: 'params',
  params: 'params',
  parameter: 'params',
  parameters: 'params',
  tag: 'tags',
  tags: 'tags',
  attribute: 'attributes',
  attributes: 'attributes',
  attr: 'attributes',
  run: 'attributes',
};

function tokenize(src: string, what: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  const fail = (msg: string): never => {
    throw new InvalidArgumentError(`Invalid ${what} '${src}': ${msg} at position ${i}`);
  };
  while (i < src.length) {
    const c = src[i] as string;
    if (/\s/.test(c)) {
      i++;
    } else if (c === "'" || c === '"' || c === '`') {
      const end = src.indexOf(c, i + 1);
      if (end < 0) fail(`unterminated ${c}-quoted string`);
      out.push({ t: c === '`' ? 'ident' : 'str', v: src.slice(i + 1, end) });
      i = end + 1;
    } else if (c === '(') {
      out.push({ t: 'lp', v: c });
      i++;
    } else if (c === ')') {
      out.push({ t: 'rp', v: c });
      i++;
    } else if (c === ',') {
      out.push({ t: 'comma', v: c });
      i++;
    } else if (/[<>=!]/.test(c)) {
      const two = src.slice(i, i + 2);
      if (['<=', '>=', '!=', '=='].includes(two)) {
        out.push({ t: 'op', v: two === '==' ? '=' : two });
        i += 2;
      } else if (c === '!') {
        fail("'!' must be followed by '='");
      } else {
        out.push({ t: 'op', v: c });
        i++;
      }
    } else if (/[-+0-9.]/.test(c) && /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?/.test(src.slice(i)) && (out.length === 0 || out[out.length - 1]?.t === 'op')) {
      const m = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?/.exec(src.slice(i)) as RegExpExecArray;
      out.push({ t: 'num', v: m[0] });
      i += m[0].length;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_.\-/]*/.exec(src.slice(i)) as RegExpExecArray;
      const word = m[0];
      const upper = word.toUpperCase();
      if (['AND', 'LIKE', 'ILIKE', 'IN', 'NOT', 'OR'].includes(upper)) out.push({ t: 'kw', v: upper });
      else out.push({ t: 'ident', v: word });
      i += word.length;
      // `metrics.` followed by a quoted key: merge
      const last = out[out.length - 1] as Tok;
      if (last.t === 'ident' && word.endsWith('.') && (src[i] === '`' || src[i] === '"')) {
        const q = src[i] as string;
        const end = src.indexOf(q, i + 1);
        if (end < 0) fail(`unterminated ${q}-quoted key`);
        last.v = word + src.slice(i + 1, end);
        i = end + 1;
      }
    } else {
      fail(`unexpected character '${c}'`);
    }
  }
  return out;
}

function splitEntity(ident: string): { entity: string; key: string } {
  const dot = ident.indexOf('.');
  if (dot > 0) {
    const prefix = ident.slice(0, dot).toLowerCase();
    const entity = ENTITY_ALIASES[prefix];
    if (entity) return { entity, key: ident.slice(dot + 1) };
  }
  return { entity: '', key: ident };
}

/**
 * Parses an MLflow search filter: comparisons joined by `AND` (OR is not supported, as in
 * MLflow), each `<entity>.<key> <op> <value>`, with `op` one of `= != < <= > >= LIKE ILIKE IN
 * NOT IN`, values quoted strings, numbers, or `('a', 'b')` lists. Keys may be quoted with
 * backticks or double quotes (`metrics."a b"`).
 * @throws InvalidArgumentError (400) naming the filter and the position of the problem
 */
export function parseFilter(filter: string | undefined, what = 'filter'): ParsedComparison[] {
  if (filter === undefined || filter.trim() === '') return [];
  const toks = tokenize(filter, what);
  const out: ParsedComparison[] = [];
  let i = 0;
  const fail = (msg: string): never => {
    throw new InvalidArgumentError(`Invalid ${what} '${filter}': ${msg}`);
  };
  for (;;) {
    const id = toks[i++];
    if (!id || id.t !== 'ident') fail(`expected an identifier such as metrics.<key>, params.<key>, tags.<key> or attributes.<name>, got '${id?.v ?? 'end'}'`);
    const { entity, key } = splitEntity((id as Tok).v);
    let op: ParsedComparison['op'];
    const o = toks[i++];
    if (o?.t === 'op') op = o.v as ParsedComparison['op'];
    else if (o?.t === 'kw' && (o.v === 'LIKE' || o.v === 'ILIKE' || o.v === 'IN')) op = o.v;
    else if (o?.t === 'kw' && o.v === 'NOT' && toks[i]?.v === 'IN') {
      i++;
      op = 'NOT IN';
    } else return fail(`expected a comparison operator after '${(id as Tok).v}', got '${o?.v ?? 'end'}'`);
    let value: ParsedComparison['value'];
    if (op === 'IN' || op === 'NOT IN') {
      if (toks[i++]?.t !== 'lp') fail(`${op} needs a parenthesised list of quoted strings`);
      const list: string[] = [];
      for (;;) {
        const v = toks[i++];
        if (v?.t !== 'str') return fail(`${op} lists hold quoted strings`);
        list.push(v.v);
        const sep = toks[i++];
        if (sep?.t === 'rp') break;
        if (sep?.t !== 'comma') fail(`expected ',' or ')' in the ${op} list`);
      }
      value = list;
    } else {
      const v = toks[i++];
      if (v?.t === 'str') value = v.v;
      else if (v?.t === 'num') value = Number(v.v);
      else return fail(`expected a quoted string or a number after '${(id as Tok).v} ${op}', got '${v?.v ?? 'end'}'`);
    }
    out.push({ entity, key, op, value });
    const next = toks[i++];
    if (!next) break;
    if (next.t === 'kw' && next.v === 'OR') fail("OR is not supported (as in MLflow); use AND");
    if (next.t !== 'kw' || next.v !== 'AND') fail(`expected AND, got '${next.v}'`);
  }
  return out;
}

/**
 * Parses MLflow `order_by` terms: `<entity>.<key> [ASC|DESC]` (e.g. `metrics.rmse DESC`,
 * `attributes.start_time`). @throws InvalidArgumentError (400)
 */
export function parseOrderBy(terms: string[] | undefined): ParsedOrder[] {
  return (terms ?? []).map((term) => {
    const m = /^\s*(`[^`]+`|[A-Za-z_][A-Za-z0-9_.\-/]*(?:"[^"]+"|`[^`]+`)?)\s*(ASC|DESC)?\s*$/i.exec(term);
    if (!m) throw new InvalidArgumentError(`Invalid order_by '${term}': expected '<entity>.<key> [ASC|DESC]'`);
    const ident = (m[1] as string).replace(/[`"]/g, '');
    const { entity, key } = splitEntity(ident);
    return { entity, key, desc: (m[2] ?? 'ASC').toUpperCase() === 'DESC' };
  });
}
