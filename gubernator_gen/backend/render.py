"""Render a :class:`~gubernator_gen.backend.plan.ModulePlan` through Jinja2.

The templates ship inside the back end's package, in
``gubernator_gen/backend/templates/``, and are read with
:mod:`importlib.resources`, so they work from a wheel, a zip or an editable
install alike.

Rendering yields a :class:`RenderedModule`: the module with one placeholder
line per bulk statement plus those statements. The bulk is what grows with
the spec: the constants (``TIMEOUTS`` has an entry per state with a
timeout), the definition, the metadata and the decision table, printed by
:mod:`gubernator_gen.backend.emit`, and the enums and protocols, which the
template captures with ``{% set %}``. ``source`` puts them together; the
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

# A placeholder holds a private-use character, which the literals module
# always escapes: no user text can ever produce the same line.
_PLACEHOLDER = "# gubernator-gen \ue000{name}"


@dataclass(frozen=True, slots=True)
class Section:
    """One bulk statement at module level, as the emitter printed it."""

    name: str
    text: str

    @property
    def placeholder(self) -> str:
        """The line standing for the statement in the skeleton."""
        return _PLACEHOLDER.format(name=self.name) + "\n"


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
            text = text.replace(section.placeholder, section.text, 1)
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


#: The statements the template captures with ``{% set %}`` and replaces by
#: placeholders, in the order they appear.
TEMPLATE_SECTIONS = ("state_enum", "trigger_enum", "protocols")
#: The statements the emitter printed, in the order they appear (those a
#: module does not have are ``None`` in the plan: a factored statechart has
#: ``factored`` instead of ``metadata`` and ``decisions``).
PLAN_SECTIONS = ("constants", "definition", "metadata", "decisions", "factored")


def render_module(plan: ModulePlan) -> RenderedModule:
    """Render ``plan``: the skeleton and its bulk statements."""
    # The template writes each placeholder as a line of its own; the
    # statement it stands for ends with a newline, as the line does.
    placeholders = {
        name: Section(name, "").placeholder.rstrip("\n")
        for name in (*TEMPLATE_SECTIONS, *PLAN_SECTIONS)
    }
    module = (
        environment()
        .get_template(MODULE_TEMPLATE)
        .make_module({"plan": plan, "sections": placeholders})
    )
    captured = tuple(
        Section(name, str(getattr(module, name))) for name in TEMPLATE_SECTIONS
    )
    emitted = tuple(
        Section(name, _statements(getattr(plan, name)))
        for name in PLAN_SECTIONS
        if getattr(plan, name) is not None
    )
    return RenderedModule(str(module), captured + emitted)


def _statements(printed: str | tuple[str, ...]) -> str:
    """One section's text: a statement, or several one after the other."""
    return printed if isinstance(printed, str) else "".join(printed)
