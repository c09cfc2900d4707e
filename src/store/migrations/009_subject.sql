-- Real data all the way (issue 12): the company's name as it appears in
-- the certificate beside its full registered name; a holder's name that
-- differs from the member register, confirmed by the office against the
-- identity document; why an order was returned for correction.
ALTER TABLE orders ADD COLUMN company_cert_name TEXT NOT NULL DEFAULT '';
ALTER TABLE orders ADD COLUMN name_differs INTEGER NOT NULL DEFAULT 0;
ALTER TABLE orders ADD COLUMN name_confirmed_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE orders ADD COLUMN name_confirmed_by TEXT NOT NULL DEFAULT '';
ALTER TABLE orders ADD COLUMN returned_code TEXT NOT NULL DEFAULT '';
ALTER TABLE orders ADD COLUMN returned_text TEXT NOT NULL DEFAULT '';

-- License numbers are compared without the spaces, dashes and dots
-- people write them with ("315 6789 01" is 315678901).
UPDATE OR IGNORE members
   SET license_number = replace(replace(replace(license_number, ' ', ''), '-', ''), '.', '')
 WHERE license_number GLOB '*[ .-]*';
UPDATE orders
   SET license_number = replace(replace(replace(license_number, ' ', ''), '-', ''), '.', '')
 WHERE license_number GLOB '*[ .-]*';
