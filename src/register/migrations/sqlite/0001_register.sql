-- The register (登记簿) of the committee offices, SQLite dialect.
-- Kept column for column in step with ../postgres/0001_register.sql: the
-- application reads and writes both through one code path (sqlx Any).
-- Times are microseconds since 1970-01-01 UTC; JSON is stored as text.

-- Bearer tokens: only the SHA-256 of each token is stored.
CREATE TABLE tokens (
    id           TEXT PRIMARY KEY,
    hash         TEXT NOT NULL UNIQUE,
    role         TEXT NOT NULL CHECK (role IN ('office', 'department', 'reader')),
    jurisdiction TEXT NOT NULL,
    department   TEXT,
    name         TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    revoked_at   INTEGER,
    CHECK ((role = 'department') = (department IS NOT NULL))
);

-- Annual report filings (十一, 十二): one per obligation, year and body.
CREATE TABLE filings (
    id              TEXT PRIMARY KEY,
    obligation      TEXT NOT NULL,
    year            INTEGER NOT NULL,
    body_adcode     TEXT NOT NULL,
    body_prefecture TEXT NOT NULL,
    body_id         TEXT NOT NULL,
    filed_on        TEXT NOT NULL,
    document_ref    TEXT NOT NULL,
    public_url      TEXT,
    recorded_by     TEXT NOT NULL REFERENCES tokens (id),
    recorded_at     INTEGER NOT NULL,
    UNIQUE (obligation, year, body_adcode, body_id)
);
CREATE INDEX filings_year ON filings (year, body_prefecture);

-- Cross-boundary cases (十三, 十四, 十六): the request, the analysis answer
-- and its data_version, the current status and its version (= events).
CREATE TABLE cases (
    id           TEXT PRIMARY KEY,
    title        TEXT NOT NULL,
    description  TEXT NOT NULL,
    matter       TEXT NOT NULL,
    status       TEXT NOT NULL,
    version      INTEGER NOT NULL,
    request      TEXT NOT NULL,
    analysis     TEXT NOT NULL,
    data_version TEXT NOT NULL,
    created_by   TEXT NOT NULL REFERENCES tokens (id),
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
);
CREATE INDEX cases_created ON cases (created_at, id);

-- The places of a case: parties, counties touched and the coordinator, each
-- with the prefecture it lies in (for jurisdiction checks on every row).
CREATE TABLE case_places (
    case_id    TEXT NOT NULL REFERENCES cases (id),
    adcode     TEXT NOT NULL,
    prefecture TEXT NOT NULL,
    role       TEXT NOT NULL CHECK (role IN ('party', 'county', 'coordinator')),
    PRIMARY KEY (case_id, role, adcode)
);
CREATE INDEX case_places_adcode ON case_places (adcode);
CREATE INDEX case_places_prefecture ON case_places (prefecture);

-- The departments the analysis names (lead, cooperating), at their place.
CREATE TABLE case_departments (
    case_id    TEXT NOT NULL REFERENCES cases (id),
    department TEXT NOT NULL,
    adcode     TEXT NOT NULL,
    PRIMARY KEY (case_id, department, adcode)
);

-- The append-only event log: creation and every status change.
CREATE TABLE case_events (
    case_id            TEXT NOT NULL REFERENCES cases (id),
    seq                INTEGER NOT NULL,
    at                 INTEGER NOT NULL,
    actor              TEXT NOT NULL REFERENCES tokens (id),
    actor_name         TEXT NOT NULL,
    actor_role         TEXT NOT NULL,
    actor_jurisdiction TEXT NOT NULL,
    from_status        TEXT,
    to_status          TEXT NOT NULL,
    note               TEXT NOT NULL,
    PRIMARY KEY (case_id, seq)
);
CREATE TRIGGER case_events_no_update BEFORE UPDATE ON case_events
BEGIN
    SELECT RAISE(ABORT, 'case_events is append-only');
END;
CREATE TRIGGER case_events_no_delete BEFORE DELETE ON case_events
BEGIN
    SELECT RAISE(ABORT, 'case_events is append-only');
END;

-- Idempotency-Key of case creation, per token.
CREATE TABLE idempotency_keys (
    token_id     TEXT NOT NULL REFERENCES tokens (id),
    key          TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    case_id      TEXT NOT NULL REFERENCES cases (id),
    created_at   INTEGER NOT NULL,
    PRIMARY KEY (token_id, key)
);
