-- 0002: progress and completion reports (every version kept), attachments, extensions,
-- reviews with the five checks, on-site verifications, revisits, and alerts kept for the
-- leader channel.

ALTER TABLE items ADD COLUMN closed_at TEXT;
ALTER TABLE items ADD COLUMN returns INTEGER NOT NULL DEFAULT 0;
ALTER TABLE items ADD COLUMN suspended_from TEXT;
ALTER TABLE items ADD COLUMN status_reason TEXT;

-- A report is never overwritten: a second report in a period is version 2, and a correction
-- (补充更正) is a new version that names the one it corrects.
CREATE TABLE reports (
    id            INTEGER PRIMARY KEY,
    item_id       INTEGER NOT NULL REFERENCES items(id),
    unit_id       INTEGER NOT NULL REFERENCES units(id),
    person_id     INTEGER NOT NULL REFERENCES people(id),
    kind          TEXT NOT NULL CHECK (kind IN ('progress', 'completion', 'revisit')),
    period_key    TEXT NOT NULL,
    version       INTEGER NOT NULL,
    corrects      INTEGER REFERENCES reports(id),
    progress      TEXT NOT NULL DEFAULT '',
    percent       INTEGER CHECK (percent BETWEEN 0 AND 100),
    difficulties  TEXT NOT NULL DEFAULT '',
    next_steps    TEXT NOT NULL DEFAULT '',
    sustained     INTEGER,
    key_flagged   INTEGER NOT NULL DEFAULT 0,
    submitted_at  TEXT NOT NULL,
    read_at       TEXT,
    read_by       INTEGER REFERENCES people(id),
    UNIQUE (item_id, unit_id, kind, period_key, version)
);
CREATE INDEX reports_item ON reports(item_id, unit_id, kind);

CREATE TABLE attachments (
    id              INTEGER PRIMARY KEY,
    report_id       INTEGER NOT NULL REFERENCES reports(id),
    kind            TEXT NOT NULL CHECK (kind IN ('photo', 'document')),
    file_id         TEXT NOT NULL,
    file_unique_id  TEXT NOT NULL,
    file_name       TEXT NOT NULL DEFAULT '',
    mime_type       TEXT NOT NULL DEFAULT '',
    size            INTEGER NOT NULL DEFAULT 0,
    local_path      TEXT,
    created_at      TEXT NOT NULL
);

CREATE TABLE extensions (
    id              INTEGER PRIMARY KEY,
    item_id         INTEGER NOT NULL REFERENCES items(id),
    unit_id         INTEGER NOT NULL REFERENCES units(id),
    person_id       INTEGER NOT NULL REFERENCES people(id),
    old_deadline    TEXT NOT NULL,
    new_deadline    TEXT NOT NULL,
    reason          TEXT NOT NULL,
    requested_at    TEXT NOT NULL,
    decision        TEXT CHECK (decision IN ('granted', 'refused')),
    decided_by      INTEGER REFERENCES people(id),
    decided_at      TEXT,
    refusal_reason  TEXT
);

CREATE TABLE reviews (
    id           INTEGER PRIMARY KEY,
    item_id      INTEGER NOT NULL REFERENCES items(id),
    report_id    INTEGER NOT NULL REFERENCES reports(id),
    reviewer_id  INTEGER NOT NULL REFERENCES people(id),
    checks       TEXT NOT NULL,
    decision     TEXT NOT NULL CHECK (decision IN ('pass', 'return', 'verify')),
    reason       TEXT NOT NULL DEFAULT '',
    decided_at   TEXT NOT NULL
);

CREATE TABLE verifications (
    id           INTEGER PRIMARY KEY,
    item_id      INTEGER NOT NULL REFERENCES items(id),
    report_id    INTEGER NOT NULL REFERENCES reports(id),
    verifier     TEXT NOT NULL,
    planned_on   TEXT NOT NULL,
    ordered_by   INTEGER NOT NULL REFERENCES people(id),
    ordered_at   TEXT NOT NULL,
    finding      TEXT,
    recorded_by  INTEGER REFERENCES people(id),
    recorded_at  TEXT
);

CREATE TABLE revisits (
    id          INTEGER PRIMARY KEY,
    item_id     INTEGER NOT NULL REFERENCES items(id),
    due_on      TEXT NOT NULL,
    state       TEXT NOT NULL DEFAULT 'scheduled'
                CHECK (state IN ('scheduled', 'asked', 'answered', 'done', 'reopened',
                                 'dropped')),
    asked_at    TEXT,
    report_id   INTEGER REFERENCES reports(id),
    decided_by  INTEGER REFERENCES people(id),
    decided_at  TEXT,
    reason      TEXT,
    UNIQUE (item_id, due_on)
);
CREATE INDEX revisits_due ON revisits(state, due_on);

-- What the leader channel must hear about (posted by the leader-channel feature).
CREATE TABLE alerts (
    id          INTEGER PRIMARY KEY,
    kind        TEXT NOT NULL,
    item_id     INTEGER REFERENCES items(id),
    unit_id     INTEGER REFERENCES units(id),
    detail      TEXT NOT NULL DEFAULT '{}',
    created_at  TEXT NOT NULL,
    posted_at   TEXT
);
