-- sgaudit store, schema version 2: each result's stable finding id (the `Id` Security Hub and OCSF carry:
-- `sgaudit/<account>/<region>/<group>/<check>`, …) and the region its finding is filed in, so that a later
-- run can archive in Security Hub what it no longer finds. Null in the rows of runs recorded before.
ALTER TABLE run_findings ADD COLUMN finding_id TEXT;
ALTER TABLE run_findings ADD COLUMN filed_region TEXT;
