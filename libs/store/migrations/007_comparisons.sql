-- Comparisons (services/merge) between two sources of a pipeline's results: Lambda vs Kappa, Kappa vN vs vN+1,
-- batch vs speed. The views gain the row's input partition and accumulators at the end (the columns of 005 stay
-- as they are), so a comparison reads every source the same way.
create or replace view kappa_view as
select w.pipeline, w.key, w.window_start, w.window_end, w.values, w.revision, w.final,
       v.version, w.job_id, w.partition, w.accumulators
from serving_speed_versions v
join window_results w on w.job_id = v.job_id and w.pipeline = v.pipeline;

create or replace view lambda_view as
select * from (
  select distinct on (w.pipeline, w.key, w.window_start, w.window_end)
         w.pipeline, w.key, w.window_start, w.window_end, w.values, w.revision, w.final,
         'batch'::text as source, c.run_id, null::integer as version, w.job_id, w.partition, w.accumulators
  from batch_coverage c
  join window_results w on w.job_id = c.job_id and w.pipeline = c.pipeline and w.partition = c.partition
  where w.window_end + c.allowed_lateness <= c.horizon
  order by w.pipeline, w.key, w.window_start, w.window_end, c.finished_at desc, c.run_id desc
) latest_batch
union all
select w.pipeline, w.key, w.window_start, w.window_end, w.values, w.revision, w.final,
       'speed'::text as source, null::text as run_id, v.version, w.job_id, w.partition, w.accumulators
from serving_speed_versions v
join window_results w on w.job_id = v.job_id and w.pipeline = v.pipeline
where not exists (
  select 1 from batch_coverage c
  where c.pipeline = w.pipeline and c.partition = w.partition
    and w.window_end + c.allowed_lateness <= c.horizon
);

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

-- Whether two aggregation results (jsonb numbers, or null) are equal within the tolerance of order-dependent
-- doubles (sum, avg): |a − b| <= max(relative · max(|a|, |b|), absolute). The comparison passes the tolerance of
-- the operator library (valuesEqual), so there is one policy, defined there.
create or replace function lk_numbers_close(a jsonb, b jsonb, relative float8, absolute float8)
returns boolean language sql immutable parallel safe as $$
  select a = b
      or (jsonb_typeof(a) = 'number' and jsonb_typeof(b) = 'number'
          and abs(a::float8 - b::float8) <= greatest(relative * greatest(abs(a::float8), abs(b::float8)), absolute))
$$;
