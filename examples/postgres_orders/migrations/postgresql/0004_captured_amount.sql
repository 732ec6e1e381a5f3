-- The amount pay captured: set by the transition's assign (orders_fsm.yaml)
-- and written in the same UPDATE as the state.
ALTER TABLE orders ADD COLUMN captured_amount numeric(12, 2);
