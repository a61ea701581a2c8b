-- Session pipelines with stateRetention R: each flush deletes the job's frontier rows of its partitions with
-- frontier + R <= the partition's watermark, and a claim reads the rows above that horizon. The primary key
-- (job_id, partition, key) finds a partition's rows but not the ones beyond the horizon: the delete would
-- read every live frontier of the partition at every flush (measured: 47 ms for 100 000 live rows over two
-- partitions, 0.1 ms with this index when none is due). A frontier that moves is an index update here too.
create index if not exists session_frontiers_horizon on session_frontiers (job_id, partition, frontier);
