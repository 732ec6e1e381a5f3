"""Checked guard and ``assign`` expressions (docs/language.md#guard-expressions and
#context-updates-assign): typed and immutable.

The front end's checker (:mod:`gubernator_gen.frontend.expressions`) turns
the text of an ``expr:`` guard or an ``assign`` value into these nodes; the
back end's emitter (:mod:`gubernator_gen.backend.expressions`) writes them
out as Python source. Nothing here knows about YAML, ``ast`` or the
generated module, and this module imports no stage, so the model can hold
expressions.

Every node carries its static type (:data:`ExprType`) as the checker
inferred it, in the same terms mypy sees the emitted code: a comparison
with an ``any`` operand has type ``any``, not ``bool``. Positions are kept
for later warnings but never take part in equality, so two expressions
written identically in different places compare (and hash) equal.
"""

from gubernator_gen.expressions.folding import UNKNOWN, fold
from gubernator_gen.expressions.nodes import (
    ArithOp,
    BinOp,
    BoolOp,
    BoolOperator,
    Builtin,
    Call,
    Compare,
    CompareOp,
    Expr,
    FieldRead,
    InState,
    Item,
    ListDisplay,
    Literal,
    LiteralValue,
    Negate,
    Not,
    TupleDisplay,
    children,
    fields_read,
    reads_state,
    walk,
)
from gubernator_gen.expressions.types import (
    ANY,
    BOOL,
    DATE,
    DATETIME,
    DECIMAL,
    FLOAT,
    INT,
    NEVER,
    NONE,
    STR,
    DictType,
    EnumType,
    ExprType,
    ListType,
    OptionalType,
    RecordField,
    RecordType,
    Simple,
    TupleType,
    admits_none,
    optional,
    without_none,
)

__all__ = [
    "ANY",
    "BOOL",
    "DATE",
    "DATETIME",
    "DECIMAL",
    "FLOAT",
    "INT",
    "NEVER",
    "NONE",
    "STR",
    "UNKNOWN",
    "ArithOp",
    "BinOp",
    "BoolOp",
    "BoolOperator",
    "Builtin",
    "Call",
    "Compare",
    "CompareOp",
    "DictType",
    "EnumType",
    "Expr",
    "ExprType",
    "FieldRead",
    "InState",
    "Item",
    "ListDisplay",
    "ListType",
    "Literal",
    "LiteralValue",
    "Negate",
    "Not",
    "OptionalType",
    "RecordField",
    "RecordType",
    "Simple",
    "TupleDisplay",
    "TupleType",
    "admits_none",
    "children",
    "fields_read",
    "fold",
    "optional",
    "reads_state",
    "walk",
    "without_none",
]
