-- The keyed audit chain (domain/audit.h): the key epoch each entry's
-- hash was made under; 0 for the unkeyed SHA-256 entries written before.
ALTER TABLE audit_log ADD COLUMN key_epoch INTEGER NOT NULL DEFAULT 0;
