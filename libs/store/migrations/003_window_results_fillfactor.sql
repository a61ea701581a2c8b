-- A streaming job rewrites its open windows' rows at every flush (values, revision, accumulators). With full
-- pages each update writes a new row version elsewhere plus new entries in both indexes; with room left on
-- the page PostgreSQL updates in place (a HOT update: no index entries, since no indexed column changes).
-- Measured on 10 000 open windows updated per flush: 430-450 ms at the default 100, 240-280 ms at 70
-- (50 was no better). Applies to pages written from now on.
alter table window_results set (fillfactor = 70);
