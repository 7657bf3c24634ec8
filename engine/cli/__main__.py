"""`python -m guanxi.cli`: the `guanxi` command."""

from guanxi.cli.main import main

raise SystemExit(main())
