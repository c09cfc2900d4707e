-- Retention (issue 18, point 7): when an order's personal data was
-- blanked (0: never), so a run does each order once; drafts and ended
-- orders found by state and age through an index.
ALTER TABLE orders ADD COLUMN anonymised_at BIGINT NOT NULL DEFAULT 0;
CREATE INDEX orders_state_updated ON orders (state, updated_at);
