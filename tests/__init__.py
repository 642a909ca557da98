"""The test suite. Imported before any test module or conftest, so aiogram's types are built
lazily here as in `cra-bot run` (bot/lazy_types.py): the whole suite runs the way the bot does."""

from bot.lazy_types import import_aiogram_lazily

import_aiogram_lazily()
