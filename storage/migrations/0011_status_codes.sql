-- 0011: statuses are stored as codes (domain/items.py Status) and shown through its one label
-- map. Every stored status is converted: items.status, items.suspended_from (where a
-- suspended item returns to), and the audit rows that recorded one ("status" when an item was
-- opened or resumed, "status_from" when it was set aside). The audit stays append-only: its
-- guard steps aside for this one rewrite and comes back unchanged. The index on items(status)
-- stays (an UPDATE keeps it). A value that is no known label is left as it was.

-- the labels and their codes, written once for the four conversions below
CREATE TEMP TABLE status_codes (label TEXT PRIMARY KEY, code TEXT NOT NULL);
INSERT INTO status_codes (label, code) VALUES
    ('待审定', 'pending_approval'),
    ('已退回修改', 'returned_for_revision'),
    ('待签收', 'awaiting_sign'),
    ('办理中', 'in_progress'),
    ('申请延期', 'extension_requested'),
    ('暂停', 'suspended'),
    ('待审核', 'under_review'),
    ('已退回补充', 'returned_for_supplement'),
    ('待核查', 'awaiting_verification'),
    ('已办结', 'closed'),
    ('回访中', 'revisiting'),
    ('已撤销', 'cancelled'),
    ('已登记', 'recorded');

UPDATE items SET status = (SELECT code FROM status_codes WHERE label = items.status)
WHERE status IN (SELECT label FROM status_codes);
UPDATE items SET suspended_from =
    (SELECT code FROM status_codes WHERE label = items.suspended_from)
WHERE suspended_from IN (SELECT label FROM status_codes);

DROP TRIGGER audit_no_update;
UPDATE audit SET detail = json_set(detail, '$.status',
    (SELECT code FROM status_codes WHERE label = json_extract(audit.detail, '$.status')))
WHERE json_valid(detail)
  AND json_extract(detail, '$.status') IN (SELECT label FROM status_codes);
UPDATE audit SET detail = json_set(detail, '$.status_from',
    (SELECT code FROM status_codes WHERE label = json_extract(audit.detail, '$.status_from')))
WHERE json_valid(detail)
  AND json_extract(detail, '$.status_from') IN (SELECT label FROM status_codes);
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;

DROP TABLE status_codes;
