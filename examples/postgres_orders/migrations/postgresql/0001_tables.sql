-- The order application's tables. The state column is plain text here;
-- 0002 (generated from orders_fsm.yaml) turns it into the machine's enum
-- type and adds the table of legal edges and the trigger that guards it.

CREATE TABLE orders (
    id             text PRIMARY KEY,
    state          text NOT NULL,
    version        integer NOT NULL,      -- +1 on every transition: the compare-and-set token
    entered_at     timestamptz NOT NULL,  -- when the order entered its state (timeouts count from it)
    amount         numeric(12, 2) NOT NULL,
    paid_amount    numeric(12, 2),
    items_in_stock boolean NOT NULL,
    carrier        text
);

-- One row per committed transition, written in the same transaction.
CREATE TABLE order_audit (
    id         bigserial PRIMARY KEY,
    order_id   text NOT NULL REFERENCES orders (id),
    version    integer NOT NULL,  -- the order version this transition created
    from_state text NOT NULL,
    to_state   text NOT NULL,
    trigger    text NOT NULL,
    actor      text NOT NULL,     -- the process that committed it
    entry      jsonb NOT NULL,    -- the runtime's audit_entry()
    execution  jsonb,             -- the actions' run; NULL until dispatched
    UNIQUE (order_id, version)
);

-- The transactional outbox: one message per committed transition, acted on
-- (at least once) by the dispatchers.
CREATE TABLE order_outbox (
    id         bigserial PRIMARY KEY,
    order_id   text NOT NULL REFERENCES orders (id),
    version    integer NOT NULL,  -- with order_id: the idempotency key's base
    result     jsonb NOT NULL,    -- the TransitionResult whose actions to run
    context    jsonb NOT NULL,    -- the order as committed
    created_at timestamptz NOT NULL,
    done_at    timestamptz,
    UNIQUE (order_id, version)
);

CREATE INDEX order_outbox_pending ON order_outbox (id) WHERE done_at IS NULL;
