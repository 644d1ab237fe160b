"""``python -m ckpt_inspector``, and the entry script of the PyInstaller bundle.

In the bundle there is no Python interpreter to run ``-m ckpt_inspector.worker``, so the window
starts the bundle's own executable with ``--worker`` (see ``worker.launch``). That case is
handled here, before the command line is parsed and before anything imports Qt, so a worker
process never loads the GUI.
"""

import sys

from ckpt_inspector.worker.launch import is_worker_invocation

if is_worker_invocation(sys.argv[1:]):
    from ckpt_inspector.worker.main import main as worker_main

    raise SystemExit(worker_main())

from ckpt_inspector.cli.main import main

raise SystemExit(main())
