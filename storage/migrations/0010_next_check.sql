-- When each assignment next needs a decision by the reminder policy, so that a tick with
-- nothing due reads one index entry instead of the whole ledger (storage/next_check.py).
-- A positive value is the day (date.toordinal()) of the next decision; a state change sets
-- it below zero (due at once), one lower at each change, so a tick that read the value before
-- the change can tell it changed. 0 (a new row) is due at once.
ALTER TABLE item_units ADD COLUMN next_check INTEGER NOT NULL DEFAULT 0;
CREATE INDEX item_units_next_check ON item_units(next_check);
