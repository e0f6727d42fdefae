-- The steps taken on each need's ladder (domain/policy.py): a reminder, the escalation, the
-- leader channel. `outbox_key` names the digest that carried the step, so the policy knows
-- which reminders really went out; a leader-channel step has none.
CREATE TABLE chases (
    need_key    TEXT NOT NULL,
    step        TEXT NOT NULL CHECK (step IN ('remind', 'escalate', 'leader')),
    day         TEXT NOT NULL,
    outbox_key  TEXT,
    item_id     INTEGER NOT NULL,
    unit_id     INTEGER NOT NULL,
    PRIMARY KEY (need_key, step, day)
);
CREATE INDEX chases_item ON chases(item_id);
