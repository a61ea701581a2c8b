import type { Pipeline } from '@lk/operators';
import type { ResolvedSource } from '../sources/resolved-source';
import {
  absoluteDifferenceSql,
  adjustedValuesSql,
  floatOf,
  relativeDifferenceSql,
  TOLERANT_FUNCTIONS,
  valuesEqualSql,
} from './aggregation-sql';
import { sqlLiteral } from './sql-literal';

export type Side = 'left' | 'right';
const SIDES: readonly Side[] = ['left', 'right'];

/**
 * The statements of one comparison, all set-based: the full outer join runs once over both sides; everything
 * after it touches only the rows that are not equal (and the late events of their keys). Temporary tables
 * live until the comparison's transaction ends.
 */
export class ComparisonStatements {
  private readonly sessions: boolean;

  constructor(
    private readonly definition: Pipeline,
    private readonly sources: Readonly<Record<Side, ResolvedSource>>,
  ) {
    this.sessions = definition.window.type === 'session';
  }

  /** The float aggregations whose largest difference among equal rows is reported. */
  get tolerantAggregations(): string[] {
    return this.definition.aggregations.filter((a) => TOLERANT_FUNCTIONS.has(a.fn)).map((a) => a.name);
  }

  createTables(): string[] {
    return [
      `create temp table cmp_diff (
         key text, window_start bigint, window_end bigint, partition integer,
         in_left boolean, in_right boolean, left_values jsonb, right_values jsonb,
         left_accumulators jsonb, right_accumulators jsonb, left_settled boolean, right_settled boolean
       ) on commit drop`,
      ...SIDES.map(
        (side) =>
          `create temp table cmp_${side}_partitions on commit drop as ${this.sources[side].partitionsSql}`,
      ),
      `create temp table cmp_islands (
         side text, key text, island_start bigint, island_end bigint, row_count integer, late_count integer,
         settled boolean, adjusted jsonb, late_events jsonb
       ) on commit drop`,
    ];
  }

  /**
   * The full outer join of both sides on (key, window): rows that are not equal go to cmp_diff; returns the
   * row counts and, per tolerant aggregation i, the largest absolute (max_abs_i) and relative (max_rel_i)
   * difference among equal rows.
   */
  join(): string {
    const { aggregations } = this.definition;
    const tolerant = this.tolerantAggregations;
    // each tolerant value converted to float8 at most once a row (l_0, r_0, …): the conversion goes through text
    const column = (side: 'left' | 'right', name: string): string =>
      `${side === 'left' ? 'l' : 'r'}_${tolerant.indexOf(name)}`;
    // only where the two values differ at all: identical rows (the usual case) skip the conversions
    const numbers = tolerant.flatMap((name, i) => [
      `case when l.values is distinct from r.values then ${floatOf('l.values', name)} end as l_${i}`,
      `case when l.values is distinct from r.values then ${floatOf('r.values', name)} end as r_${i}`,
    ]);
    const differences = tolerant.flatMap((_, i) => [
      `case when equal then ${absoluteDifferenceSql(`l_${i}`, `r_${i}`)} end as abs_${i}`,
      `case when equal then ${relativeDifferenceSql(`l_${i}`, `r_${i}`)} end as rel_${i}`,
    ]);
    // "offset 0" fences each level: without them the planner inlines the columns into every use, converting
    // and comparing a row's values many times over
    return `
      with l as (${this.sources.left.rowsSql}),
           r as (${this.sources.right.rowsSql}),
           j as materialized (
             select key, window_start, window_end, partition, in_left, in_right,
                    case when not equal then lv end as left_values, case when not equal then rv end as right_values,
                    case when not equal then la end as left_accumulators,
                    case when not equal then ra end as right_accumulators,
                    left_settled, right_settled, equal
                    ${differences.map((d) => `, ${d}`).join('')}
             from (
               select *, coalesce(in_left and in_right
                                  and (lv = rv or ${valuesEqualSql(aggregations, 'lv', 'rv', column)}), false) as equal
               from (
                 select coalesce(l.key, r.key) as key, coalesce(l.window_start, r.window_start) as window_start,
                        coalesce(l.window_end, r.window_end) as window_end,
                        coalesce(l.partition, r.partition) as partition,
                        l.key is not null as in_left, r.key is not null as in_right,
                        l.values as lv, r.values as rv, l.accumulators as la, r.accumulators as ra,
                        l.settled as left_settled, r.settled as right_settled
                        ${numbers.map((n) => `, ${n}`).join('')}
                 from l full join r
                   on r.key = l.key and r.window_start = l.window_start and r.window_end = l.window_end
                 offset 0
               ) joined
               offset 0
             ) compared
           ),
           differing as (
             insert into cmp_diff
             select key, window_start, window_end, partition, in_left, in_right, left_values, right_values,
                    left_accumulators, right_accumulators, left_settled, right_settled
             from j where not equal
             returning 1
           )
      select count(*) filter (where in_left) as left_rows, count(*) filter (where in_right) as right_rows,
             count(*) filter (where equal) as equal_rows, (select count(*) from differing) as differing_rows
             ${tolerant.map((_, i) => `, max(abs_${i}) as max_abs_${i}, max(rel_${i}) as max_rel_${i}`).join('')}
      from j`;
  }

  /**
   * Indexes and statistics for a temporary table just filled (autovacuum never analyzes temporary tables):
   * the steps after the join look rows up per key and window, and must stay linear in the differing rows.
   */
  indexed(table: 'cmp_diff' | 'cmp_islands' | 'cmp_pairs'): string[] {
    const columns = {
      cmp_diff: 'key, window_start, window_end',
      cmp_islands: 'side, key, island_start',
      cmp_pairs: 'key, island_start, island_end',
    }[table];
    return [`create index on ${table} (${columns})`, `analyze ${table}`];
  }

  /**
   * One side's islands: its not-equal rows and the late events its streaming job dropped for them, grouped
   * per window (tumbling, sliding) or merged into sessions where they touch (sessions: the proto-session
   * [t, t + gap) of a late event bridges or extends the sessions it touches, as it would have had it been on
   * time), each with the result it gives once combined.
   */
  islands(side: Side): string {
    const source = this.sources[side];
    const diffMatch = this.sessions
      ? 'e.key in (select key from cmp_diff)'
      : `exists (select 1 from cmp_diff d
                 where d.key = e.key and d.window_start = e.window_start and d.window_end = e.window_end)`;
    const late =
      source.streamJobId === null
        ? `select null::text as key, null::bigint as window_start, null::bigint as window_end, null::jsonb as event,
                  null::integer as partition, null::bigint as "offset", null::text as job_id where false`
        : `select e.key, e.window_start, e.window_end, e.event, e.partition, e."offset", e.job_id
           from late_events e
           join cmp_${side}_partitions p on p.partition = e.partition and p.late_job_id = e.job_id
           where e.job_id = ${sqlLiteral(source.streamJobId)} and e.pipeline = ${sqlLiteral(this.definition.name)}
             and (p.late_from is null or e.window_end > p.late_from) and ${diffMatch}`;
    // Sessions: every row of the keys involved, equal ones too — a late event may bridge a differing session
    // with an equal (or still open) one, and the island must hold both. Fixed windows: the differing rows.
    const rows = this.sessions
      ? `select x.key, x.window_start as s, x.window_end as e, true as is_row, x.values, x.accumulators, x.settled,
                null::jsonb as event, null::integer as partition, null::bigint as "offset", null::text as job_id
         from (${source.rowsSql}) x where x.key in (select key from cmp_diff)`
      : `select key, window_start as s, window_end as e, true as is_row, ${side}_values as values,
                ${side}_accumulators as accumulators, ${side}_settled as settled, null::jsonb as event,
                null::integer as partition, null::bigint as "offset", null::text as job_id
         from cmp_diff where in_${side}`;
    const grouping = this.sessions
      ? `marked as (
           select *, case when s <= max(e) over (partition by key order by s, e
                                                   rows between unbounded preceding and 1 preceding)
                          then 0 else 1 end as opens
           from items
         ),
         numbered as (select *, sum(opens) over (partition by key order by s, e rows unbounded preceding) as island
                      from marked),
         grouped as (select *, min(s) over island_parts as island_start, max(e) over island_parts as island_end
                     from numbered window island_parts as (partition by key, island))`
      : 'grouped as (select *, s as island_start, e as island_end from items)';
    return `
      insert into cmp_islands (side, key, island_start, island_end, row_count, late_count, settled, adjusted,
                               late_events)
      with late as (${late}),
           items as (
             ${rows}
             union all
             select key, window_start, window_end, false, null, null, null, event, partition, "offset", job_id
             from late
           ),
           ${grouping}
      select ${sqlLiteral(side)}, key, island_start, island_end,
             count(*) filter (where is_row), count(*) filter (where not is_row),
             coalesce(bool_and(settled) filter (where is_row), true),
             ${adjustedValuesSql(this.definition.aggregations)},
             coalesce(jsonb_agg(jsonb_build_object('side', ${sqlLiteral(side)}, 'jobId', job_id, 'partition', partition,
                                                   'offset', "offset", 'eventId', event ->> 'event_id')
                                order by partition, "offset") filter (where not is_row), '[]'::jsonb)
      from grouped group by key, island_start, island_end`;
  }

  /** Islands of both sides matched on (key, bounds), equal when their combined results are. */
  pairs(): string {
    return `
      create temp table cmp_pairs on commit drop as
      select coalesce(l.key, r.key) as key, coalesce(l.island_start, r.island_start) as island_start,
             coalesce(l.island_end, r.island_end) as island_end,
             coalesce(l.row_count, 0) as left_rows, coalesce(r.row_count, 0) as right_rows,
             coalesce(l.late_count, 0) as left_late, coalesce(r.late_count, 0) as right_late,
             coalesce(l.settled, true) as left_island_settled, coalesce(r.settled, true) as right_island_settled,
             l.adjusted as left_adjusted, r.adjusted as right_adjusted,
             coalesce(l.adjusted is not null and r.adjusted is not null
                      and (${valuesEqualSql(this.definition.aggregations, 'l.adjusted', 'r.adjusted')}), false) as equal,
             coalesce(l.late_events, '[]'::jsonb) || coalesce(r.late_events, '[]'::jsonb) as late_events
      from (select * from cmp_islands where side = 'left') l
      full join (select * from cmp_islands where side = 'right') r
        on r.key = l.key and r.island_start = l.island_start and r.island_end = l.island_end`;
  }

  /**
   * Every not-equal row classified ($1 = the comparison id):
   * - a side on which the window is not settled (still open on a stream, beyond a batch run's horizon):
   *   pending when both sides have it, else only_left / only_right, with that side's reason;
   * - settled on both and equal once each side's late events are added back (sessions: re-merged): explained,
   *   or only_left / only_right when the other side's window is made only of late events it dropped;
   * - else, when a side's live stream has not read the row's partition as far as the other side: pending;
   * - anything else: unexplained.
   */
  classify(): string {
    const { left, right } = this.sources;
    // the island holding the row: for fixed windows the window itself; a session lies in one of its side's
    const island = this.sessions
      ? `left join lateral (
           select i.island_start, i.island_end from cmp_islands i
           where i.side = case when d.in_left then 'left' else 'right' end and i.key = d.key
             and i.island_start <= d.window_start and i.island_end >= d.window_end
           limit 1
         ) isl on true`
      : 'cross join lateral (select d.window_start as island_start, d.window_end as island_end) isl';
    const merged = this.sessions
      ? ` || case when pr.left_rows + pr.right_rows > 2 then ', sessions re-merged' else '' end`
      : '';
    return `
      insert into comparison_rows (comparison_id, key, window_start, window_end, partition, class, reason,
                                   left_values, right_values, left_adjusted, right_adjusted, late_event_ids, late_events)
      select $1, d.key, d.window_start, d.window_end, d.partition, c.class, c.reason,
             d.left_values, d.right_values, pr.left_adjusted, pr.right_adjusted,
             array(select coalesce(x ->> 'eventId', (x ->> 'partition') || '@' || (x ->> 'offset'))
                   from jsonb_array_elements(coalesce(pr.late_events, '[]'::jsonb)) x),
             coalesce(pr.late_events, '[]'::jsonb)
      from cmp_diff d
      ${island}
      left join cmp_pairs pr on pr.key = d.key and pr.island_start = isl.island_start and pr.island_end = isl.island_end
      left join cmp_left_partitions lp on lp.partition = d.partition
      left join cmp_right_partitions rp on rp.partition = d.partition
      -- a side missing the window is settled for it when it has closed what the window would be there: the
      -- window itself, or (sessions) the whole island the late events merge it into
      cross join lateral (select greatest(d.window_end, coalesce(pr.island_end, d.window_end)) as reach) x
      cross join lateral (
        select case when d.in_left then d.left_settled else coalesce(x.reach <= lp.settled_until, false) end
                 as left_row_settled,
               case when d.in_right then d.right_settled else coalesce(x.reach <= rp.settled_until, false) end
                 as right_row_settled
      ) w
      cross join lateral (
        select w.left_row_settled and coalesce(pr.left_island_settled, true) as left_settled,
               w.right_row_settled and coalesce(pr.right_island_settled, true) as right_settled
      ) s
      cross join lateral (
        select case
          when rp.stream_read < lp.read_until then
            ${sqlLiteral(`right: ${right.streamJobId ?? right.spec} has read partition `)} || d.partition || ' up to offset '
            || rp.stream_read || ', the left up to ' || lp.read_until
          when lp.stream_read < rp.read_until then
            ${sqlLiteral(`left: ${left.streamJobId ?? left.spec} has read partition `)} || d.partition || ' up to offset '
            || lp.stream_read || ', the right up to ' || rp.read_until
        end as behind
      ) r
      cross join lateral (
        select case
          when not (s.left_settled and s.right_settled) then
            case when d.in_left and d.in_right then 'pending' when d.in_left then 'only_left' else 'only_right' end
          when coalesce(pr.equal, false) then
            case when d.in_left and d.in_right then 'explained'
                 when d.in_left and pr.right_rows = 0 then 'only_left'
                 when d.in_right and pr.left_rows = 0 then 'only_right'
                 else 'explained' end
          -- a live stream that has not yet read the partition as far as the other side: what it has not read
          -- (late events it will drop, records of the window) may yet explain the row
          when r.behind is not null then 'pending'
          else 'unexplained'
        end as class,
        case
          when not w.left_row_settled then ${sqlLiteral(`left: ${left.unsettledReason}`)}
          when not w.right_row_settled then ${sqlLiteral(`right: ${right.unsettledReason}`)}
          when not s.left_settled then ${sqlLiteral(`left: late events merge it with a session not settled (${left.unsettledReason})`)}
          when not s.right_settled then ${sqlLiteral(`right: late events merge it with a session not settled (${right.unsettledReason})`)}
          when coalesce(pr.equal, false) then
            case when d.in_left and not d.in_right and pr.right_rows = 0
                   then 'a window made only of late events the right dropped (' || pr.right_late || ')'
                 when d.in_right and not d.in_left and pr.left_rows = 0
                   then 'a window made only of late events the left dropped (' || pr.left_late || ')'
                 else 'equal once the late events are added back (left ' || pr.left_late || ', right '
                      || pr.right_late || ')'${merged}
            end
          when r.behind is not null then r.behind
          when d.in_left and d.in_right and pr.key is not null
               and (pr.left_adjusted is null or pr.right_adjusted is null)
            then 'values differ; the late events cannot be added back (accumulators missing)'
          when d.in_left and d.in_right then 'values differ beyond what late events account for'
          when d.in_left then 'missing on the right, which has closed the window; no late events account for it'
          else 'missing on the left, which has closed the window; no late events account for it'
        end as reason
      ) c`;
  }
}
