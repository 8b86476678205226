-- sgaudit store, schema version 3: the scan queue. A scan is split into units (one per account-region, and one
-- per account, region 'account', for its account-wide evidence); workers claim units, collect them, and store
-- each unit's part (JSON text) here, so that an interrupted scan resumes where it stopped and several processes
-- share one scan through PostgreSQL. docs/store.md ("Scan queue") describes every column.
--
-- lease_until is UTC epoch milliseconds (BIGINT, one type on both databases), read from the database's own clock
-- so that workers on machines whose clocks disagree still agree on when a lease ends. run_id names the run recorded
-- from the scan; it is not a foreign key, so pruning runs never touches a queue.

CREATE TABLE scan_queues (
    scan_id TEXT PRIMARY KEY,
    created_at TEXT NOT NULL,
    scope TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('open', 'finished', 'abandoned')),
    finished_at TEXT,
    run_id TEXT,
    skeleton TEXT
);
CREATE INDEX scan_queues_by_state ON scan_queues (state, created_at);

CREATE TABLE scan_units (
    scan_id TEXT NOT NULL REFERENCES scan_queues (scan_id) ON DELETE CASCADE,
    account_id TEXT NOT NULL,
    region TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'claimed', 'done')),
    worker TEXT,
    lease_until BIGINT,
    attempts BIGINT NOT NULL,
    part TEXT,
    done_at TEXT,
    PRIMARY KEY (scan_id, account_id, region)
);
-- What a claim walks: the units not done yet, in claim order. Partial, so that the done units (most of them, late
-- in a scan) are never stepped over.
CREATE INDEX scan_units_to_claim ON scan_units (scan_id, account_id, region) WHERE state <> 'done';
