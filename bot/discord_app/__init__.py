"""The Discord front end: thin handlers over ``bot.service`` and ``bot.answer.render``."""
