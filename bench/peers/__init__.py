"""budgetql against real peers (figures P1 and P2, see bench/README.md).

``figures.py`` is the harness side (budgetql's venv). Each peer runs in its own
environment, installed by ``make bench-peers`` (``.ci/ensure-peers``):
``fin-infra/app.py`` in ``.venv-fin-infra``, ``actual/month.js`` with node and
``actual/node_modules``. Only this glue is ours; the peers' code is theirs, unchanged.
"""
