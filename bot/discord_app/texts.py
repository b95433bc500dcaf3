"""Every text the Discord layer says to users, in one place.

Answers and refusals about the documents themselves ("couldn't find that", "too
long") come from ``bot.answer.render``, shared with the CLI; this module holds
what only the bot says: admission refusals, button replies, command replies.
"""

from __future__ import annotations

# ----------------------------------------------------------------- admission (admission.py)

CHANNEL_REFUSED = "I don't answer questions in this channel."
STOPPING = "I'm restarting right now; please ask again in a minute."
BUSY = "I'm answering a lot of questions right now; please try again in a moment."
ERROR = "Sorry, something went wrong on my side; please try again."


def cooldown(wait_seconds: float) -> str:
    """The reply to a question asked before the user's cooldown is over."""
    seconds = max(1, round(wait_seconds))
    return f"You're asking quickly! Please wait {seconds} s before the next question."


UNREADABLE_REPLY = (
    "I can't read replies that don't mention me. Keep the @mention on when you reply "
    "(or use `/ask`)."
)

# ----------------------------------------------------------------- buttons (buttons.py)

EXPIRED = (
    "This answer comes from an older version of the documents, so its buttons have expired. "
    "Please ask again."
)
NO_MORE_RESULTS = "There are no more results for this question."
THANKS_UP = "Thanks! Glad it helped."
THANKS_DOWN = "Thanks, noted: that answer missed."
FEEDBACK_FAILED = "Sorry, I couldn't save your feedback right now. Answers still work."

MORE_RESULTS_LABEL = "More results ({count})"
PREVIOUS_LABEL = "◀ Previous"
NEXT_LABEL = "Next ▶"
FULL_PASSAGE_LABEL = "Full passage"
UP_LABEL = "👍"
DOWN_LABEL = "👎"

# ----------------------------------------------------------------- commands (commands.py)

HELP = (
    "**Ask me about the documents.**\n"
    "• Mention me with a question: `@{name} who can be issued a Social Security number?`\n"
    "• Reply to one of my answers to ask a follow-up.\n"
    "• Send me a direct message.\n"
    "• `/ask question:<text>` (add `private:True` to see the answer alone).\n"
    "• Right-click a message → Apps → **Ask the docs**.\n"
    "I quote the best passage exactly, with its source; if the documents don't say, I tell you.\n"
    "`/sources` lists the documents, `/source` shows one, `/about` tells what I hold."
)
NO_SUCH_DOCUMENT = "No document called “{name}” is in the corpus. `/sources` lists them."
ABOUT_DESCRIPTION = "Answers quoted from the documents."
ADMINS_ONLY = "Only server admins can reload the documents."
RELOAD_FAILED = "Reload failed; still answering from the previous index. ({error})"
RELOADED = "Reloaded: {documents}, {passages} in {seconds:.2f} s."
RELOAD_REMOVED = "Removed {count} document(s) no longer there:"
RELOAD_SKIPPED = "Skipped {count} file(s):"
