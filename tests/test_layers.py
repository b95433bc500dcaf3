"""The core never imports Discord: corpus, analysis, ranking and answering are plain Python."""

import subprocess
import sys

CORE = [
    "bot.documents.corpus",
    "bot.analysis.analyzer",
    "bot.search.index",
    "bot.answer.answerer",
    "bot.answer.render",
    "bot.cli",
]


def test_core_modules_do_not_import_discord():
    code = (
        "import sys\n" + "".join(f"import {m}\n" for m in CORE) + "print('discord' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"
