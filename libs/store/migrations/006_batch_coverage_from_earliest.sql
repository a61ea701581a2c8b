-- A batch run started at a time (--from) read no window before it: only runs from the earliest retained offset
-- cover windows in lambda_view (same columns as in 005, so the views built on it stay as they are).
create or replace view batch_coverage as
select r.id as run_id, r.pipeline, r.job_id, r.finished_at, rp.partition, rp.horizon,
       (r.definition ->> 'allowedLateness')::bigint as allowed_lateness
from replay_runs r
join replay_partitions rp on rp.run_id = r.id
where r.mode = 'batch' and r.status = 'completed' and rp.horizon is not null
  and r.from_spec = 'earliest';
