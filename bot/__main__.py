"""`python -m bot` is `cra-bot`."""

import sys

from bot.cli import main

if __name__ == "__main__":
    sys.exit(main())
