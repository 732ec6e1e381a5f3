"""``python -m gubernator_gen``: the same program as the ``gubernator-gen`` command."""

from gubernator_gen.driver.cli import main

raise SystemExit(main())
