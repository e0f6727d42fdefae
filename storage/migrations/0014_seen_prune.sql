-- Recording a finished update is one statement, so the bot's most frequent write is one hop to
-- the database thread: the newest rows are kept by this trigger instead of a DELETE after every
-- INSERT. Every thousandth arrival forgets all but the newest 10,000 (so 10,000 to 11,000 are
-- kept: a redelivery comes right after a crash, never thousands of updates later).
CREATE TRIGGER seen_updates_prune AFTER INSERT ON seen_updates
WHEN NEW.seq % 1000 = 0
BEGIN
    DELETE FROM seen_updates WHERE seq <= NEW.seq - 10000;
END;
