"""Render a :class:`~gubernator_gen.backend.plan.ModulePlan` through Jinja2.

The templates ship inside the back end's package, in
``gubernator_gen/backend/templates/``, and are read with
:mod:`importlib.resources`, so they work from a wheel, a zip or an editable
install alike.

Rendering yields a :class:`RenderedModule`: the module with one placeholder
line per bulk section of the definition (states, transitions, dispatch rows)
plus the rendered items of each section. ``source`` puts them together; the
formatter uses the parts to run black on the small skeleton only (see
:mod:`gubernator_gen.backend.formatting`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files

import jinja2

from gubernator_gen.backend.plan import ModulePlan

TEMPLATE_PACKAGE = "gubernator_gen.backend"
TEMPLATE_FOLDER = "templates"
MODULE_TEMPLATE = "module.py.j2"
ITEMS_TEMPLATE = "items.py.j2"

# A placeholder holds a private-use character, which the literals module
# always escapes: no user text can ever produce the same line.
_PLACEHOLDER = "# gubernator-gen \ue000{name}"

# Code around an item that gives it the nesting it has in the module, for
# formatting one item alone: (text before, text after). Items of the
# ``states`` and ``transitions`` sections sit at depth 2 inside a tuple
# argument, dispatch rows at depth 3 inside a mapping inside a call.
CALL_ITEM_CONTEXT = ("_f(\n    x=(\n", "        0,\n    ),\n)\n")
DISPATCH_ROW_CONTEXT = (
    "_f(\n    x=_g(\n        {\n",
    "            0: 0,\n        }\n    ),\n)\n",
)


@dataclass(frozen=True, slots=True)
class Section:
    """One bulk section: its rendered items (each ends with a newline), the
    indentation of its placeholder line, and the context for formatting an
    item alone."""

    name: str
    indent: str
    items: tuple[str, ...]
    context: tuple[str, str]

    @property
    def placeholder(self) -> str:
        """The line standing for the section in the skeleton."""
        return f"{self.indent}{_PLACEHOLDER.format(name=self.name)}\n"


@dataclass(frozen=True, slots=True)
class RenderedModule:
    """The module as a skeleton with placeholders, and the sections."""

    skeleton: str
    sections: tuple[Section, ...]

    @property
    def source(self) -> str:
        """The whole module, unformatted."""
        text = self.skeleton
        for section in self.sections:
            text = text.replace(section.placeholder, "".join(section.items), 1)
        return text


def _load_template(name: str) -> str:
    resource = files(TEMPLATE_PACKAGE).joinpath(TEMPLATE_FOLDER).joinpath(name)
    if not resource.is_file():
        raise jinja2.TemplateNotFound(name)
    return resource.read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    """The one Jinja2 environment: no autoescaping (the output is Python, and
    every value arrives as a finished literal), undefined names are errors,
    and block tags leave no stray whitespace behind."""
    return jinja2.Environment(
        loader=jinja2.FunctionLoader(_load_template),
        autoescape=False,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render_module(plan: ModulePlan) -> RenderedModule:
    """Render ``plan``: the skeleton and the items of each bulk section."""
    env = environment()
    items = env.get_template(ITEMS_TEMPLATE).module
    call_item = items.call_item  # type: ignore[attr-defined]
    dispatch_row = items.dispatch_row  # type: ignore[attr-defined]
    sections = (
        Section(
            "states",
            " " * 8,
            tuple(str(call_item(call)) for call in plan.state_infos),
            CALL_ITEM_CONTEXT,
        ),
        Section(
            "transitions",
            " " * 8,
            tuple(str(call_item(call)) for call in plan.transition_infos),
            CALL_ITEM_CONTEXT,
        ),
        Section(
            "dispatch",
            " " * 12,
            tuple(str(dispatch_row(row, plan.mapping_proxy)) for row in plan.dispatch),
            DISPATCH_ROW_CONTEXT,
        ),
    )
    placeholders = {section.name: section.placeholder for section in sections}
    skeleton = env.get_template(MODULE_TEMPLATE).render(
        plan=plan, sections=placeholders
    )
    return RenderedModule(skeleton, sections)
