-- The order application's tables (SQLite flavour of ../postgresql/0001).
-- 0002 (generated from orders_fsm.yaml) adds the table of legal edges and
-- the triggers that guard the state column.

CREATE TABLE orders (
    id             TEXT PRIMARY KEY,
    state          TEXT NOT NULL,
    version        INTEGER NOT NULL,  -- +1 on every transition: the compare-and-set token
    entered_at     TEXT NOT NULL,     -- ISO 8601 UTC, fixed width: sorts as text
    amount         TEXT NOT NULL,     -- Decimal as text: SQLite has no exact decimal
    paid_amount    TEXT,
    items_in_stock INTEGER NOT NULL,
    carrier        TEXT
);

CREATE TABLE order_audit (
    id         INTEGER PRIMARY KEY,
    order_id   TEXT NOT NULL REFERENCES orders (id),
    version    INTEGER NOT NULL,
    from_state TEXT NOT NULL,
    to_state   TEXT NOT NULL,
    trigger    TEXT NOT NULL,
    actor      TEXT NOT NULL,
    entry      TEXT NOT NULL,     -- JSON
    execution  TEXT,              -- JSON; NULL until dispatched
    UNIQUE (order_id, version)
);

CREATE TABLE order_outbox (
    id         INTEGER PRIMARY KEY,
    order_id   TEXT NOT NULL REFERENCES orders (id),
    version    INTEGER NOT NULL,
    result     TEXT NOT NULL,     -- JSON
    context    TEXT NOT NULL,     -- JSON
    created_at TEXT NOT NULL,
    done_at    TEXT,
    UNIQUE (order_id, version)
);

CREATE INDEX order_outbox_pending ON order_outbox (id) WHERE done_at IS NULL;
