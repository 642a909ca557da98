"""Package layout that pyproject.toml cannot say: the catalogs ship inside the `bot` package.

The repository keeps the catalogs at the top level (`locales/`, where translators and their tools look
for them), but an installed bot must find them beside its code: the wheel maps `locales/` to the
package `bot.locales`, and `bot/i18n.py` looks there first, then at the checkout's `locales/`.
Everything else about the project is in pyproject.toml.
"""

from setuptools import find_packages, setup

setup(
    packages=[*find_packages(include=["bot*", "db*"]), "bot.locales"],
    package_dir={"bot.locales": "locales"},
    package_data={
        "bot.locales": ["messages.pot", "*/LC_MESSAGES/*.po"],
        "bot.web": ["templates/*.html", "static/*"],
        "db": ["migrations/*.py", "migrations/*.mako", "migrations/versions/*.py"],
    },
)
