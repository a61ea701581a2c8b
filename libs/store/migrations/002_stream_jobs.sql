-- Streaming jobs (speed layer, Kappa versions) persist incrementally: an open window's accumulators live in
-- its own window_results row, written in the same upsert as its values, so restoring a partition reads
-- only that partition's open rows, whatever the number of keys ever seen.
alter table window_results add column if not exists partition integer;
alter table window_results add column if not exists accumulators jsonb;
create index if not exists window_results_open
  on window_results (job_id, pipeline, partition) where not final;

-- The partition's owner epoch fences zombie writers: a consumer that lost a partition in a rebalance and
-- flushes late finds another epoch and writes nothing for it. max_event_time restores the watermark exactly.
alter table partition_state add column if not exists pipeline text;
alter table partition_state add column if not exists epoch bigint not null default 0;
alter table partition_state add column if not exists max_event_time bigint;

-- Session windows: per key, the end of its latest final session (events at or before it are late).
create table if not exists session_frontiers (
  job_id    text    not null,
  partition integer not null,
  key       text    not null,
  frontier  bigint  not null,
  primary key (job_id, partition, key)
);

-- Versions are immutable: the definition a job id first ran with is recorded, and a different one under
-- the same version is refused (a changed pipeline is a new version).
create table if not exists job_definitions (
  job_id     text        primary key,
  pipeline   text        not null,
  version    integer,
  definition jsonb       not null,
  created_at timestamptz not null default now()
);
