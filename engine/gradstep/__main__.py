import sys

from gradstep.cli import main

sys.exit(main())
