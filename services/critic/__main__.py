"""``python -m services.critic`` is ``sweet serve critic``."""

import sys

from sweetrl.cli.main import main

if __name__ == "__main__":
    sys.exit(main(["serve", "critic", *sys.argv[1:]]))
