-- Updates already handled, so one that Telegram delivers again after a crash is not taken as
-- the answer to the next question. `seq` is arrival order: pruning keeps the newest rows
-- (update ids are not a safe order: Telegram may restart them at random after a quiet week).
CREATE TABLE seen_updates (
    seq        INTEGER PRIMARY KEY,
    update_id  INTEGER NOT NULL UNIQUE
);
