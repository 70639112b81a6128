"""``python -m services.policy`` is ``sweet serve policy``."""

import sys

from sweetrl.cli.main import main

if __name__ == "__main__":
    sys.exit(main(["serve", "policy", *sys.argv[1:]]))
