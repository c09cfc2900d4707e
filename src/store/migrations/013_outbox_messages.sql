-- Mail kept as a message key with its values (issue 15): the outbox
-- writes a mail when it is delivered, in the recipient's language, so
-- queuing one is a row of short text (a statement import queues tens
-- of thousands).  subject holds the key ("mail.order_paid"), message
-- the key with its values (core/i18n.h's note form), lang the language
-- code.  A mail about an order names it (order_id) and may leave the
-- recipient and the language empty: the order's email and its
-- account's language are read when the mail is delivered.  Rows written
-- before keep their text and an empty message.
ALTER TABLE outbox ADD COLUMN lang TEXT NOT NULL DEFAULT '';
ALTER TABLE outbox ADD COLUMN message TEXT NOT NULL DEFAULT '';
ALTER TABLE outbox ADD COLUMN order_id BIGINT;
