"""`python -m guanxi`: the `guanxi` command."""

from guanxi.cli.main import main

raise SystemExit(main())
