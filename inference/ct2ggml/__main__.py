"""`python -m inference.ct2ggml SRC_DIR DST_FILE`."""

import sys

from inference.ct2ggml.convert import main

sys.exit(main())
