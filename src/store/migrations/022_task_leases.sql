-- Periodic passes that each portal instance runs on its own timer but
-- that want one runner at a time (issue 17): asking the CA about every
-- order waiting for it, the expiry reminders.  A pass runs in the
-- instance that holds its row's lease (claimed_by: host:pid, as in 015;
-- lease_until: Unix time); the holder renews it each pass, and when it
-- dies the lease runs out and another instance takes the pass over.
CREATE TABLE task_leases (
	name TEXT PRIMARY KEY,
	claimed_by TEXT NOT NULL,
	lease_until BIGINT NOT NULL
);
