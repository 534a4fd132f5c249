"""Entry point of ``python -m pipeline``."""

import sys

from pipeline.cli.main import main

sys.exit(main())
