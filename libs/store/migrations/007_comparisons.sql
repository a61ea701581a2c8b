-- Comparisons (services/merge) between two sources of a pipeline's results: Lambda vs Kappa, Kappa vN vs vN+1,
-- batch vs speed. The views gain the row's input partition and accumulators at the end (the columns of 005 stay
-- as they are), so a comparison reads every source the same way.
create or replace view kappa_view as
select w.pipeline, w.key, w.window_start, w.window_end, w.values, w.revision, w.final,
       v.version, w.job_id, w.partition, w.accumulators
from serving_speed_versions v
join window_results w on w.job_id = v.job_id and w.pipeline = v.pipeline;

-- The batch layer per partition, as bands of window ends: each completed run (from the earliest offset) covers
-- the windows ending by covered_until = horizon − allowedLateness; a window is served by the latest run that
-- covers it, i.e. run r serves the window ends in (covers_after, covered_until], covers_after being the
-- furthest any later run covers. Bands are disjoint, so the Lambda view picks each window's run by a join —
-- no sort of every batch row to keep the latest per window.
create or replace view batch_layer as
select run_id, pipeline, job_id, partition, finished_at, covered_until,
       coalesce(max(covered_until) over (partition by pipeline, partition order by finished_at desc, run_id desc
                                         rows between unbounded preceding and 1 preceding),
                -9223372036854775808) as covers_after
from (select run_id, pipeline, job_id, partition, finished_at, horizon - allowed_lateness as covered_until
      from batch_coverage) c;

create or replace view lambda_view as
select w.pipeline, w.key, w.window_start, w.window_end, w.values, w.revision, w.final,
       'batch'::text as source, b.run_id, null::integer as version, w.job_id, w.partition, w.accumulators
from batch_layer b
join window_results w on w.job_id = b.job_id and w.pipeline = b.pipeline and w.partition = b.partition
where w.window_end > b.covers_after and w.window_end <= b.covered_until
union all
select w.pipeline, w.key, w.window_start, w.window_end, w.values, w.revision, w.final,
       'speed'::text as source, null::text as run_id, v.version, w.job_id, w.partition, w.accumulators
from serving_speed_versions v
join window_results w on w.job_id = v.job_id and w.pipeline = v.pipeline
left join (select pipeline, partition, max(covered_until) as covered_until from batch_layer
           group by pipeline, partition) b
       on b.pipeline = w.pipeline and b.partition = w.partition
where b.covered_until is null or w.window_end > b.covered_until;

-- One row per comparison run: its two sources (as given and as resolved to job ids), why it ran, the rows
-- per class, and the summary and architecture scorecard as JSON (the admin API and the dashboard serve them).
create table if not exists comparisons (
  id               text        primary key,
  pipeline         text        not null,
  left_source      text        not null,
  right_source     text        not null,
  -- the job ids each side read at the time (lambda: the batch runs and the speed version it combined)
  left_jobs        text[]      not null,
  right_jobs       text[]      not null,
  -- 'cli', 'api', 'schedule', 'replay:<run id>'
  trigger          text        not null,
  status           text        not null check (status in ('completed', 'failed')),
  error            text,
  equal_rows       bigint      not null default 0,
  explained_rows   bigint      not null default 0,
  unexplained_rows bigint      not null default 0,
  only_left_rows   bigint      not null default 0,
  only_right_rows  bigint      not null default 0,
  pending_rows     bigint      not null default 0,
  summary          jsonb       not null default '{}',
  scorecard        jsonb       not null default '{}',
  started_at       timestamptz not null,
  finished_at      timestamptz not null default now(),
  duration_ms      integer     not null default 0
);
create index if not exists comparisons_pipeline on comparisons (pipeline, started_at desc);

-- One row per window that is not equal on both sides: its class, why, both sides' values, and the late events
-- (each side's late side output) that explain it.
create table if not exists comparison_rows (
  comparison_id  text    not null references comparisons (id) on delete cascade,
  key            text    not null,
  window_start   bigint  not null,
  window_end     bigint  not null,
  partition      integer,
  class          text    not null
                 check (class in ('explained', 'unexplained', 'only_left', 'only_right', 'pending')),
  reason         text    not null,
  left_values    jsonb,
  right_values   jsonb,
  -- what each side gives once its late events are added back (sessions: re-merged), where computed
  left_adjusted  jsonb,
  right_adjusted jsonb,
  -- the event ids (event_id of the event, else partition@offset) of the late events involved, and the events'
  -- coordinates: [{side, jobId, partition, offset, eventId}]
  late_event_ids text[]  not null default '{}',
  late_events    jsonb   not null default '[]',
  primary key (comparison_id, key, window_start, window_end)
);
create index if not exists comparison_rows_class on comparison_rows (comparison_id, class);
