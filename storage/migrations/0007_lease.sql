-- 0007: one process per database. `duban run` holds this one row while it sends; a second
-- process sees it and refuses, so no push goes out twice. Times are UTC epoch seconds, so two
-- processes compare them without a time zone in the way. A holder whose heartbeat is older
-- than the lease timeout is presumed dead (or frozen) and may be taken over.

CREATE TABLE lease (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    holder      TEXT NOT NULL,              -- a random token per process
    pid         INTEGER NOT NULL,
    host        TEXT NOT NULL,
    started_at  INTEGER NOT NULL,           -- UTC epoch seconds
    heartbeat   INTEGER NOT NULL            -- UTC epoch seconds, renewed every timeout/4
);
