"""Entry point for ``python -m bot.harness`` (see :mod:`bot.harness.console`)."""

from bot.harness.console import main

raise SystemExit(main())
