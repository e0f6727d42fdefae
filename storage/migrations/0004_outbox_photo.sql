-- 0004: a push may carry a picture (the monthly circular's chart), sent with its text as caption.
ALTER TABLE outbox ADD COLUMN photo TEXT;
