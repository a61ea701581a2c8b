-- The smoke flow's table (e2e/src/smoke-flow.ts: one decoded event per run, deleted again at its end). It was
-- created by the flow itself with `create table if not exists`, which two first runs at once do not survive
-- (both insert the table's row type: a unique violation on pg_type). `if not exists`: a database where the
-- flow created it already keeps it as it is.
create table if not exists smoke_events (
  event_id text primary key,
  user_id text not null,
  event_type text not null,
  amount double precision not null,
  ts bigint not null,
  country text,
  kafka_partition integer not null,
  kafka_offset bigint not null
);
