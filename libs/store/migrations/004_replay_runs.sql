-- Replays of retained Kafka history (services/batch): a Lambda batch run (job id 'batch:<runId>', batch mode,
-- nothing late) or a Kappa replay (job id 'speed:<pipeline>:v<N+1>', stream mode, the new version's own rows).
-- A run's results are served only once it is completed; a cancelled or failed run's partial rows never are.
create table if not exists replay_runs (
  id           text        primary key,
  mode         text        not null check (mode in ('batch', 'kappa')),
  pipeline     text        not null,
  -- kappa: the version the replay creates; batch: null
  version      integer,
  job_id       text        not null,
  group_id     text        not null,
  topic        text        not null,
  -- 'earliest' or the ISO time the start offsets were resolved from (offsets for times)
  from_spec    text        not null,
  definition   jsonb       not null,
  status       text        not null default 'queued'
               check (status in ('queued', 'running', 'completed', 'failed', 'cancelled')),
  error        text,
  created_at   timestamptz not null default now(),
  started_at   timestamptz,
  finished_at  timestamptz
);
create index if not exists replay_runs_pipeline on replay_runs (pipeline, created_at desc);

-- Per run and partition: the range to read, snapshotted when the run was created ([start_offset, end_offset)),
-- the progress (next_offset, events) and, once done, the horizon: the watermark the partition reached at the
-- snapshot end (what the Lambda merge rule needs to know which windows the run covers).
create table if not exists replay_partitions (
  run_id       text        not null references replay_runs (id) on delete cascade,
  partition    integer     not null,
  start_offset bigint      not null,
  end_offset   bigint      not null,
  next_offset  bigint      not null,
  events       bigint      not null default 0,
  done         boolean     not null default false,
  horizon      bigint,
  updated_at   timestamptz not null default now(),
  primary key (run_id, partition)
);

-- Which version of a pipeline serves the Kappa view, and since when: a cutover closes the current row and
-- opens the next one in one transaction, so the history of who served when is kept.
create table if not exists serving_versions (
  pipeline     text        not null,
  version      integer     not null,
  run_id       text,
  since        timestamptz not null default now(),
  until        timestamptz,
  primary key (pipeline, since)
);
create unique index if not exists serving_versions_current on serving_versions (pipeline) where until is null;

-- Two Kappa replays of one pipeline never create the same version.
create unique index if not exists replay_runs_kappa_version on replay_runs (pipeline, version) where mode = 'kappa';
