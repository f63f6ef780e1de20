"""``python -m graph.cli``: the same as the ``budgetql`` command."""

from graph.cli import main

raise SystemExit(main())
