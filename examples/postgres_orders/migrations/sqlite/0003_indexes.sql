-- Timeout sweeps look orders up by state and age.
CREATE INDEX orders_by_state_age ON orders (state, entered_at);
