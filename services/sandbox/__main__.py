"""``python -m services.sandbox`` is ``sweet serve sandbox``."""

import sys

from sweetrl.cli.main import main

if __name__ == "__main__":
    sys.exit(main(["serve", "sandbox", *sys.argv[1:]]))
