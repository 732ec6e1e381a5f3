"""Render a :class:`~gubernator_gen.plan.ModulePlan` through the Jinja2 templates.

The templates ship inside the generator as the package
``gubernator_gen.templates`` (the repository's ``templates/`` directory) and
are read with :mod:`importlib.resources`, so they work from a wheel, a zip or
an editable install alike.
"""

from __future__ import annotations

from functools import lru_cache
from importlib.resources import files

import jinja2

from gubernator_gen.plan import ModulePlan

TEMPLATE_PACKAGE = "gubernator_gen.templates"
MODULE_TEMPLATE = "module.py.j2"


def _load_template(name: str) -> str:
    # Only our own file names reach here; TemplateNotFound keeps Jinja2's
    # usual error for a missing one.
    resource = files(TEMPLATE_PACKAGE).joinpath(name)
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


def render_module(plan: ModulePlan) -> str:
    """The generated module's source, before formatting."""
    return environment().get_template(MODULE_TEMPLATE).render(plan=plan)
