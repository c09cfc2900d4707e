-- The prices an order was confirmed at (issue 3: the proforma and the
-- contract state what was agreed, whatever the tariff says later).
-- prices_fixed = 0: not fixed yet (drafts), or confirmed before this
-- migration (those keep following the tariff, as they did).
ALTER TABLE orders ADD COLUMN prices_fixed INTEGER NOT NULL DEFAULT 0;
ALTER TABLE orders ADD COLUMN price_para BIGINT NOT NULL DEFAULT 0;
ALTER TABLE orders ADD COLUMN reader_para BIGINT NOT NULL DEFAULT 0;
ALTER TABLE orders ADD COLUMN vat_pct INTEGER NOT NULL DEFAULT 0;
