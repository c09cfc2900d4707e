-- Mail kept as a message key with its values (issue 15): the outbox
-- writes a mail when it is delivered, in the recipient's language, so
-- queuing one is a row of short text (a statement import queues tens
-- of thousands).  subject holds the key ("mail.order_paid"), message
-- the key with its values (core/i18n.h's note form), lang the language
-- code.  Rows written before keep their text and an empty message.
ALTER TABLE outbox ADD COLUMN lang TEXT NOT NULL DEFAULT '';
ALTER TABLE outbox ADD COLUMN message TEXT NOT NULL DEFAULT '';
