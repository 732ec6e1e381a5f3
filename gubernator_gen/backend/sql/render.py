"""Print a :class:`~gubernator_gen.backend.sql.plan.SqlPlan` through Jinja2.

One template per dialect, beside the module templates in
``gubernator_gen/backend/templates/`` (``postgresql.sql.j2``,
``sqlite.sql.j2``). The templates only loop over the plan: every name
arrives quoted and every string as a finished literal.
"""

from __future__ import annotations

from functools import lru_cache
from importlib.resources import files

import jinja2

from gubernator_gen.backend.sql.plan import SqlPlan

TEMPLATE_PACKAGE = "gubernator_gen.backend"
TEMPLATE_FOLDER = "templates"


def _load_template(name: str) -> str:
    resource = files(TEMPLATE_PACKAGE).joinpath(TEMPLATE_FOLDER).joinpath(name)
    if not resource.is_file():
        raise jinja2.TemplateNotFound(name)
    return resource.read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    """The SQL templates' environment: no autoescaping (values arrive as
    finished SQL), undefined names are errors, block tags leave no blank
    lines behind."""
    return jinja2.Environment(
        loader=jinja2.FunctionLoader(_load_template),
        autoescape=False,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render_sql_plan(plan: SqlPlan) -> str:
    """The DDL text of ``plan``, ending with one newline."""
    template = environment().get_template(f"{plan.dialect.value}.sql.j2")
    return template.render(plan=plan)
