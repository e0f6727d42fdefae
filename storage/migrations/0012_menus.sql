-- The command menu last set in each person's chat (a fingerprint of its commands, written by
-- handlers/basics.set_menu once Telegram accepted it), so /help and a restart send
-- setMyCommands only when the person's role or the command list changed. '' : none set yet.
ALTER TABLE people ADD COLUMN menu TEXT NOT NULL DEFAULT '';
