-- After 0002: an index that mentions the state column is built on the
-- machine's enum type. Timeout sweeps look orders up by state and age.
CREATE INDEX orders_by_state_age ON orders (state, entered_at);
