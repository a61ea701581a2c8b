-- The two architectures' answers, straight from psql.
--
-- The speed version serving a pipeline: the current serving_versions row (a Kappa cutover), else version 1
-- (the first speed version, before any cutover).
create or replace view serving_speed_versions as
select p.pipeline,
       coalesce(s.version, 1) as version,
       'speed:' || p.pipeline || ':v' || coalesce(s.version, 1) as job_id
from (select distinct pipeline from job_definitions where job_id like 'speed:%') p
left join serving_versions s on s.pipeline = p.pipeline and s.until is null;

-- Kappa view: the serving stream version's results.
create or replace view kappa_view as
select w.pipeline, w.key, w.window_start, w.window_end, w.values, w.revision, w.final,
       v.version, w.job_id
from serving_speed_versions v
join window_results w on w.job_id = v.job_id and w.pipeline = v.pipeline;

-- A completed batch run covers a window of partition p when the window was closed at the run's snapshot:
-- window_end + allowedLateness <= the watermark p had reached (the run's horizon for p).
create or replace view batch_coverage as
select r.id as run_id, r.pipeline, r.job_id, r.finished_at, rp.partition, rp.horizon,
       (r.definition ->> 'allowedLateness')::bigint as allowed_lateness
from replay_runs r
join replay_partitions rp on rp.run_id = r.id
where r.mode = 'batch' and r.status = 'completed' and rp.horizon is not null;

-- Lambda view: per (pipeline, key, window), the latest completed batch run's result where that run covers
-- the window, otherwise the serving speed version's result.
create or replace view lambda_view as
select * from (
  select distinct on (w.pipeline, w.key, w.window_start, w.window_end)
         w.pipeline, w.key, w.window_start, w.window_end, w.values, w.revision, w.final,
         'batch'::text as source, c.run_id, null::integer as version, w.job_id
  from batch_coverage c
  join window_results w on w.job_id = c.job_id and w.pipeline = c.pipeline and w.partition = c.partition
  where w.window_end + c.allowed_lateness <= c.horizon
  order by w.pipeline, w.key, w.window_start, w.window_end, c.finished_at desc, c.run_id desc
) latest_batch
union all
select w.pipeline, w.key, w.window_start, w.window_end, w.values, w.revision, w.final,
       'speed'::text as source, null::text as run_id, v.version, w.job_id
from serving_speed_versions v
join window_results w on w.job_id = v.job_id and w.pipeline = v.pipeline
where not exists (
  select 1 from batch_coverage c
  where c.pipeline = w.pipeline and c.partition = w.partition
    and w.window_end + c.allowed_lateness <= c.horizon
);
