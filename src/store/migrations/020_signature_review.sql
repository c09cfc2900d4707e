-- Signed requests the office confirms by hand (issue 19, point 1): a
-- signature that verifies but whose certificate names no JMBG (another
-- qualified CA's serialNumber, or none) is kept as awaiting the office
-- (review 1) until an operator confirms the signer is the holder
-- (review 0, as a verified one) or refuses it (review 2).  What the
-- office compares: the certificate's commonName, serialNumber and
-- issuer; who decided and when.
ALTER TABLE order_signatures ADD COLUMN review INTEGER NOT NULL DEFAULT 0;
ALTER TABLE order_signatures ADD COLUMN signer_name TEXT NOT NULL DEFAULT '';
ALTER TABLE order_signatures ADD COLUMN signer_sn TEXT NOT NULL DEFAULT '';
ALTER TABLE order_signatures ADD COLUMN issuer TEXT NOT NULL DEFAULT '';
ALTER TABLE order_signatures ADD COLUMN decided_by TEXT NOT NULL DEFAULT '';
ALTER TABLE order_signatures ADD COLUMN decided_at BIGINT NOT NULL DEFAULT 0;
