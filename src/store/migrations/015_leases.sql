-- Background work claimed with a lease (issue 17): several portal
-- instances share one database, and each row of the mail outbox and of
-- the queue to the CA is delivered by the one that claimed it.  A claim
-- writes who holds the row (claimed_by: host:pid of the instance) and
-- until when (lease_until, Unix time); a row is claimable when it is
-- due and its lease is over (0: never claimed, or given back when the
-- delivery ended), so an instance killed mid-delivery leaves its rows
-- to the others once the lease has run out.
ALTER TABLE outbox ADD COLUMN claimed_by TEXT NOT NULL DEFAULT '';
ALTER TABLE outbox ADD COLUMN lease_until BIGINT NOT NULL DEFAULT 0;
ALTER TABLE ca_outbox ADD COLUMN claimed_by TEXT NOT NULL DEFAULT '';
ALTER TABLE ca_outbox ADD COLUMN lease_until BIGINT NOT NULL DEFAULT 0;
