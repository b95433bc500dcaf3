"""Long-running robustness checks: not collected by a plain ``pytest``.

Run them with ``QABOT_STRESS=1 .venv/bin/python -m pytest tests/stress`` (a few
minutes). The load test of the whole bot is ``bench/load_test.py``.
"""

import os

if not os.environ.get("QABOT_STRESS"):
    collect_ignore_glob = ["test_*.py"]
