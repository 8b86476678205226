-- sgaudit store, schema version 1: the runs and what each saw.
--
-- Portable SQL: this same text runs on SQLite and on PostgreSQL (docs/store.md describes every column).
-- Timestamps are TEXT in one fixed form, YYYY-MM-DDTHH:MM:SSZ (UTC, whole seconds), so that text order is time
-- order in both databases and under any collation; PostgreSQL reads them with `::timestamptz`, SQLite's date
-- functions read them as they are. Booleans are BIGINT 0/1 (one type on both). Ids are given by sgaudit (no
-- SERIAL, no AUTOINCREMENT). A released migration is never edited: a change is a new file.

CREATE TABLE runs (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT NOT NULL,
    duration_ms BIGINT NOT NULL,
    caller_arn TEXT,
    sgaudit_version TEXT NOT NULL,
    from_snapshot BIGINT NOT NULL CHECK (from_snapshot IN (0, 1)),
    collected_at TEXT,
    families TEXT NOT NULL,
    security_hub_pushed BIGINT NOT NULL CHECK (security_hub_pushed IN (0, 1)),
    detail TEXT
);
CREATE INDEX runs_by_started_at ON runs (started_at);

CREATE TABLE run_counts (
    run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    value BIGINT NOT NULL,
    PRIMARY KEY (run_id, name)
);
CREATE INDEX run_counts_by_name ON run_counts (name, run_id);

CREATE TABLE run_places (
    run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    complete BIGINT NOT NULL CHECK (complete IN (0, 1)),
    sources_read BIGINT NOT NULL,
    sources BIGINT NOT NULL,
    unreadable TEXT NOT NULL,
    PRIMARY KEY (run_id, account, region)
);
CREATE INDEX run_places_by_place ON run_places (account, region);

CREATE TABLE run_groups (
    run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    group_id TEXT NOT NULL,
    name TEXT NOT NULL,
    vpc_id TEXT,
    is_default BIGINT NOT NULL CHECK (is_default IN (0, 1)),
    status TEXT NOT NULL,
    risk TEXT NOT NULL,
    unused_since TEXT,
    uses BIGINT NOT NULL,
    evidence TEXT NOT NULL,
    marked_in_use TEXT,
    PRIMARY KEY (run_id, account, region, group_id)
);
CREATE INDEX run_groups_by_group ON run_groups (group_id);
CREATE INDEX run_groups_by_place ON run_groups (account, region, run_id);

CREATE TABLE run_findings (
    run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    seq BIGINT NOT NULL,
    check_id TEXT NOT NULL,
    account TEXT NOT NULL,
    region TEXT,
    resource_type TEXT NOT NULL,
    resource TEXT NOT NULL,
    group_id TEXT,
    severity TEXT NOT NULL,
    outcome TEXT NOT NULL,
    title TEXT NOT NULL,
    message TEXT NOT NULL,
    muted_reason TEXT,
    muted_owner TEXT,
    PRIMARY KEY (run_id, seq)
);

CREATE TABLE run_snapshots (
    run_id TEXT PRIMARY KEY REFERENCES runs (id) ON DELETE CASCADE,
    snapshot TEXT NOT NULL
);

CREATE TABLE marks (
    group_id TEXT PRIMARY KEY,
    account TEXT,
    region TEXT,
    reason TEXT NOT NULL,
    owner TEXT NOT NULL,
    marked_at TEXT NOT NULL,
    expires TEXT
);
