-- Results of every job that runs the operators: the speed layer and Kappa versions (job_id
-- 'speed:<pipeline>:v<N>') and batch runs ('batch:<runId>'). Times are epoch milliseconds, as in the operators.
create table if not exists window_results (
  job_id       text    not null,
  pipeline     text    not null,
  key          text    not null,
  window_start bigint  not null,
  window_end   bigint  not null,
  values       jsonb   not null,
  revision     integer not null,
  final        boolean not null,
  updated_at   timestamptz not null default now(),
  primary key (job_id, pipeline, key, window_start, window_end)
);

-- Per job and input partition: the next offset to read and the operator state, written in the same
-- transaction as the results, so a restart resumes exactly where the last flush ended.
create table if not exists partition_state (
  job_id      text    not null,
  topic       text    not null,
  partition   integer not null,
  next_offset bigint  not null,
  watermark   bigint,
  state       jsonb,
  updated_at  timestamptz not null default now(),
  primary key (job_id, topic, partition)
);

-- The late side output: one row per (event, window) an event was dropped from.
create table if not exists late_events (
  job_id       text    not null,
  pipeline     text    not null,
  topic        text    not null,
  partition    integer not null,
  "offset"     bigint  not null,
  key          text    not null,
  window_start bigint  not null,
  window_end   bigint  not null,
  watermark    bigint  not null,
  event        jsonb   not null,
  primary key (job_id, pipeline, partition, "offset", window_start, window_end)
);
create index if not exists late_events_window on late_events (job_id, pipeline, key, window_start);
