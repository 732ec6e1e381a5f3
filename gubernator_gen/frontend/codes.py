"""The front end's diagnostic codes, one table with a one-line meaning each.

``GG1xx`` are reported while reading and parsing a spec, ``GG2xx`` by the
JSON Schema checks, ``GG3xx`` by the semantic checks (``GG350`` and up are
warnings). ``GG320`` to ``GG339`` belong to guard and ``assign``
expressions, guard parameters and ``check:`` guards
(:data:`EXPRESSION_CODES`), ``GG340`` to ``GG349`` to nested, parallel
and history states (:data:`STATECHART_CODES`). Codes are stable: a code is
never reused for another meaning, so tools and documentation may rely on
them. The command line and the README list this table through
:data:`CODES`.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

# Loading: file access, encoding, substitution, YAML syntax, hostile input.
UNREADABLE_FILE = "GG101"
NOT_UTF8 = "GG102"
FILE_TOO_LARGE = "GG103"
UNDEFINED_VARIABLE = "GG104"
REQUIRED_VARIABLE = "GG105"
YAML_SYNTAX = "GG106"
SEVERAL_DOCUMENTS = "GG107"
EMPTY_DOCUMENT = "GG108"
ROOT_NOT_MAPPING = "GG109"
DUPLICATE_KEY = "GG110"
UNSUPPORTED_TAG = "GG111"
BAD_TAGGED_VALUE = "GG112"
MERGE_KEY = "GG113"
UNDEFINED_ALIAS = "GG114"
RECURSIVE_ALIAS = "GG115"
ALIAS_EXPANSION = "GG116"
TOO_DEEP = "GG117"
TOO_MANY_NODES = "GG118"
NUMBER_TOO_LONG = "GG119"

# Schema: the shape of the document (spec.schema.json).
WRONG_TYPE = "GG201"
BAD_NAME = "GG202"
MISSING_KEY = "GG203"
UNKNOWN_KEY = "GG204"
NOT_ALLOWED_VALUE = "GG205"
KEY_NOT_STRING = "GG206"
OUT_OF_RANGE = "GG207"
EMPTY_LIST = "GG208"
SCHEMA_OTHER = "GG209"
NOT_SUPPORTED = "GG210"

# Semantics: errors.
DUPLICATE_STATE = "GG301"
NO_INITIAL_STATE = "GG302"
SEVERAL_INITIAL_STATES = "GG303"
UNDEFINED_STATE = "GG304"
TRANSITION_FROM_TERMINAL = "GG305"
TIMEOUT_ON_TERMINAL = "GG306"
KEYWORD_NAME = "GG307"
DUNDER_NAME = "GG308"
SHADOWED_TRANSITION = "GG309"
BAD_MACHINE_NAME = "GG310"
NOT_FINITE = "GG311"
MISPLACED_WILDCARD = "GG312"
DUPLICATE_MACHINE = "GG313"
BAD_CONTEXT_TYPE = "GG314"
DUPLICATE_ENUM_VALUE = "GG315"

# Semantics: statecharts (docs/language.md#compound-states and after).
BAD_INITIAL_CHILD = "GG340"
NOTHING_TO_ENTER = "GG341"
MISPLACED_HISTORY = "GG342"
BAD_HISTORY_STATE = "GG343"
BAD_HISTORY_DEFAULT = "GG344"
TERMINAL_WITH_CHILDREN = "GG345"
NESTED_INITIAL_TYPE = "GG346"
BAD_DONE_EVENT = "GG347"
TIMEOUT_WITH_CHILDREN = "GG348"
PARALLEL_WITHOUT_REGIONS = "GG349"

#: The codes of the statechart checks, in code order.
STATECHART_CODES = (
    BAD_INITIAL_CHILD,
    NOTHING_TO_ENTER,
    MISPLACED_HISTORY,
    BAD_HISTORY_STATE,
    BAD_HISTORY_DEFAULT,
    TERMINAL_WITH_CHILDREN,
    NESTED_INITIAL_TYPE,
    BAD_DONE_EVENT,
    TIMEOUT_WITH_CHILDREN,
    PARALLEL_WITHOUT_REGIONS,
)

# Semantics: guard and assign expressions, guard parameters, check: guards.
EXPRESSION_SYNTAX = "GG320"
EXPRESSION_NOT_ALLOWED = "GG321"
UNKNOWN_NAME = "GG322"
UNKNOWN_FUNCTION = "GG323"
EXPRESSION_TYPE = "GG324"
MAY_BE_NONE = "GG325"
EXPRESSION_LIMIT = "GG326"
UNKNOWN_ITEM = "GG327"
UNKNOWN_STATE_IN_EXPRESSION = "GG328"
GUARD_PARAMS_CONFLICT = "GG329"
BAD_GUARD_PARAM = "GG330"
ASSIGN_TYPE = "GG331"
UNKNOWN_ASSIGN_FIELD = "GG332"
BAD_CHECK = "GG333"
DEGENERATE_EXPRESSION = "GG334"

#: The codes of the expression language, in code order.
EXPRESSION_CODES = (
    EXPRESSION_SYNTAX,
    EXPRESSION_NOT_ALLOWED,
    UNKNOWN_NAME,
    UNKNOWN_FUNCTION,
    EXPRESSION_TYPE,
    MAY_BE_NONE,
    EXPRESSION_LIMIT,
    UNKNOWN_ITEM,
    UNKNOWN_STATE_IN_EXPRESSION,
    GUARD_PARAMS_CONFLICT,
    BAD_GUARD_PARAM,
    ASSIGN_TYPE,
    UNKNOWN_ASSIGN_FIELD,
    BAD_CHECK,
    DEGENERATE_EXPRESSION,
)

# Semantics: warnings.
UNREACHABLE_STATE = "GG350"
DEAD_END_STATE = "GG351"
UNREACHABLE_GUARD = "GG352"
UNREACHABLE_ACTION = "GG353"
REPEATED_SOURCE = "GG354"
CONSTANT_GUARD = "GG355"
SHADOWED_BY_GUARDS = "GG356"
INTERNAL_NOT_INSIDE = "GG357"
NEVER_DONE = "GG358"

#: Every front-end code with its meaning, in code order.
CODES: Mapping[str, str] = MappingProxyType(
    {
        UNREADABLE_FILE: "the spec file cannot be read (missing, a directory, ...)",
        NOT_UTF8: "the spec is not valid UTF-8 text",
        FILE_TOO_LARGE: "the spec file is larger than the size limit",
        UNDEFINED_VARIABLE: "${VAR} names a variable neither defined nor in the "
        "environment",
        REQUIRED_VARIABLE: "${VAR:?message} names a variable that is unset or empty",
        YAML_SYNTAX: "the text is not valid YAML (or JSON)",
        SEVERAL_DOCUMENTS: "the file holds more than one YAML document",
        EMPTY_DOCUMENT: "the file holds no document at all",
        ROOT_NOT_MAPPING: "the document is not a mapping of top-level keys",
        DUPLICATE_KEY: "a key is repeated within one mapping",
        UNSUPPORTED_TAG: "a YAML tag other than the core tags !!str, !!int, !!float, "
        "!!bool, !!null, !!map, !!seq",
        BAD_TAGGED_VALUE: "a value cannot be read as the core tag it carries "
        "(!!int abc)",
        MERGE_KEY: "a YAML 1.1 merge key (<<), which YAML 1.2 does not have",
        UNDEFINED_ALIAS: "an alias (*name) refers to no anchor (&name) before it",
        RECURSIVE_ALIAS: "an alias refers to a node that contains it",
        ALIAS_EXPANSION: "aliases expand to more nodes or characters than the limits "
        "allow",
        TOO_DEEP: "collections are nested deeper than the limit allows",
        TOO_MANY_NODES: "the document has more nodes than the limit allows",
        NUMBER_TOO_LONG: "an integer has too many digits to be read",
        WRONG_TYPE: "a value has the wrong type (string, number, list, mapping, ...)",
        BAD_NAME: "a name or version does not have the required form",
        MISSING_KEY: "a required key is missing",
        UNKNOWN_KEY: "a key that the spec language does not define",
        NOT_ALLOWED_VALUE: "a value is not one of the allowed choices",
        KEY_NOT_STRING: "a mapping key is not a string",
        OUT_OF_RANGE: "a number is outside its allowed range",
        EMPTY_LIST: "a list that must not be empty is empty",
        SCHEMA_OTHER: "any other violation of the spec schema",
        NOT_SUPPORTED: "a construct of another state-machine library that this "
        "language does not have (yet); the message says what to write instead",
        DUPLICATE_STATE: "two states have the same name",
        NO_INITIAL_STATE: "no state has type initial",
        SEVERAL_INITIAL_STATES: "more than one state has type initial",
        UNDEFINED_STATE: "a source, dest, timeout destination or fallback names no "
        "state",
        TRANSITION_FROM_TERMINAL: "a transition leaves a terminal state",
        TIMEOUT_ON_TERMINAL: "a terminal state has a timeout",
        KEYWORD_NAME: "a guard, action, context field or class name is a Python "
        "keyword",
        DUNDER_NAME: "a guard, action, context field or class name starts with __",
        SHADOWED_TRANSITION: "a transition can never fire: an earlier one with the "
        "same source and trigger has no guards",
        BAD_MACHINE_NAME: "the machine name taken from the file name is not a name "
        "(control characters, spaces at either end, too long)",
        NOT_FINITE: "a timeout is infinite or not a number",
        MISPLACED_WILDCARD: "'*' anywhere but as a transition's whole source (a "
        "state's name, in a list of sources, a destination)",
        DUPLICATE_MACHINE: "two machines of one machines: file have the same "
        "machine_name",
        BAD_CONTEXT_TYPE: "a context type that is not well formed (brackets, "
        "dict keys, ? inside a type, the keys of a type mapping)",
        DUPLICATE_ENUM_VALUE: "an enum context type lists the same value twice",
        BAD_INITIAL_CHILD: "initial: names no child state of its state (or stands "
        "on a state without children, or on a parallel one)",
        NOTHING_TO_ENTER: "a state's only children are history states: entering "
        "it has no child to enter",
        MISPLACED_HISTORY: "a history state outside a compound state (at the top "
        "level, or in a parallel state)",
        BAD_HISTORY_STATE: "a history state with children, actions, transitions "
        "or keys of its own; or history: or default: on another state",
        BAD_HISTORY_DEFAULT: "a history state's default is not a child of its "
        "parent (for deep history, not a state inside it)",
        TERMINAL_WITH_CHILDREN: "a terminal state has children",
        NESTED_INITIAL_TYPE: "type: initial on a nested state (the initial child "
        "is written initial: CHILD on the parent)",
        BAD_DONE_EVENT: "a done.state.NAME trigger names no state with children",
        TIMEOUT_WITH_CHILDREN: "a state with children has a timeout (write after: "
        "instead)",
        PARALLEL_WITHOUT_REGIONS: "a parallel state has no states: list of " "regions",
        EXPRESSION_SYNTAX: "an expression is not valid Python expression syntax",
        EXPRESSION_NOT_ALLOWED: "an expression uses syntax outside the expression "
        "language (attributes, lambdas, comprehensions, f-strings, ...)",
        UNKNOWN_NAME: "an expression names something that is not a context field",
        UNKNOWN_FUNCTION: "an expression calls a function other than len, abs, min, "
        "max and in_state, or calls one wrongly",
        EXPRESSION_TYPE: "an expression combines values of types that do not fit",
        MAY_BE_NONE: "an expression uses a value that may be None (an absent field) "
        "without checking 'is not None' first",
        EXPRESSION_LIMIT: "an expression is too long, too deeply nested or holds too "
        "large a literal",
        UNKNOWN_ITEM: "an expression reads a record key or compares with an enum "
        "value that the type does not have",
        UNKNOWN_STATE_IN_EXPRESSION: "in_state names no state",
        GUARD_PARAMS_CONFLICT: "two uses of one guard give it different parameters",
        BAD_GUARD_PARAM: "a guard parameter has a bad name or a value that is not a "
        "literal",
        ASSIGN_TYPE: "an assign expression's type does not fit its context field",
        UNKNOWN_ASSIGN_FIELD: "assign names a field that is not in context",
        BAD_CHECK: "a check: guard has an unknown operator or does not fit its field",
        DEGENERATE_EXPRESSION: "an expression compares a value with itself, tests a "
        "condition together with its negation, or negates a negation (- -x)",
        UNREACHABLE_STATE: "warning: a state cannot be reached from the initial state",
        DEAD_END_STATE: "warning: a non-terminal state has no transition and no "
        "timeout",
        UNREACHABLE_GUARD: "warning: a guard is used only by transitions that can "
        "never be taken",
        UNREACHABLE_ACTION: "warning: an action is used only where the machine never "
        "goes",
        REPEATED_SOURCE: "warning: a transition lists the same source state twice",
        CONSTANT_GUARD: "warning: a guard expression is always true or always false",
        SHADOWED_BY_GUARDS: "warning: a transition can never fire where an earlier "
        "candidate has the same guards (or only guards it has too)",
        INTERNAL_NOT_INSIDE: "warning: internal: true on a transition whose dest "
        "is not inside its source, where it changes nothing (the source is "
        "left as by any transition)",
        NEVER_DONE: "warning: a done.state.NAME trigger whose state can never "
        "complete (no terminal child; for a parallel state, a region that "
        "cannot complete)",
    }
)
