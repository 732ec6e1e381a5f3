"""The back end's diagnostic codes (``GG4xx``), one line of meaning each.

Like the other stages' codes, these are stable: a code is never reused for
another meaning. ``naming`` reports GG401 to GG406 before any code is
written; the SQL back end reports GG440; compiling a statechart for its
module reports GG480 and GG481; GG490 marks a generator bug instead of a
traceback.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

CLASS_NAME_COLLISION = "GG401"
CLASS_NAME_UNUSABLE = "GG402"
METHOD_NAME_UNUSABLE = "GG403"
MEMBER_NAME_UNUSABLE = "GG404"
MEMBER_COLLISION = "GG405"
MODULE_COLLISION = "GG406"
SQL_LABEL_TOO_LONG = "GG440"
STATECHART_NOT_COMPILED = "GG480"
EVENTLESS_LOOP = "GG481"
INTERNAL_ERROR = "GG490"

#: Every back-end code with its meaning, in code order.
CODES: Mapping[str, str] = MappingProxyType(
    {
        CLASS_NAME_COLLISION: "the machine class name equals a name the generated "
        "module defines, imports or uses from builtins (State, Machine, "
        "MACHINE_NAME, str, ...); set meta.class_name",
        CLASS_NAME_UNUSABLE: "the machine class name is not an identifier, is a "
        "keyword (machine_name none gives None) or is a dunder name; set "
        "meta.class_name",
        METHOD_NAME_UNUSABLE: "a guard or action name cannot be a method of "
        "Guards/Actions: not an identifier, a keyword, or starting with __ "
        "(mangled inside a class)",
        MEMBER_NAME_UNUSABLE: "the enum member derived from a state or trigger "
        "name is not read back as the same identifier by this Python",
        MEMBER_COLLISION: "two state names (or two trigger names) give the same "
        "enum member (in review, in-review: IN_REVIEW)",
        MODULE_COLLISION: "two machines of one machines: file would be written to "
        "the same module",
        SQL_LABEL_TOO_LONG: "gubernator-gen sql --dialect postgresql: a state name "
        "is longer than the 63 bytes a PostgreSQL enum label holds",
        STATECHART_NOT_COMPILED: "a statechart construct that this generator "
        "does not compile into modules yet (after:, timeouts of statechart "
        "states, guarded always: transitions, guarded choices made inside a "
        "step, guard items or assign taken by several parallel regions at "
        "once)",
        EVENTLESS_LOOP: "unguarded always: or done.state transitions loop "
        "forever: the step would never end",
        INTERNAL_ERROR: "internal error: the generated source did not parse (a "
        "generator bug; please report it)",
    }
)
