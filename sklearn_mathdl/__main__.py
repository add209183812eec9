"""Run ``python -m sklearn_mathdl tour``."""

# Authors: The sklearn_mathdl developers
# SPDX-License-Identifier: BSD-3-Clause

import sys

from sklearn_mathdl._tour import main

if __name__ == "__main__":
    sys.exit(main())
