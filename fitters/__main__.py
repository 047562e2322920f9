"""``python -m fitters``: the report of every route on the lecture's data (see fitters.cli);
``python -m fitters compare OLD.json NEW.json``: the drift report (see fitters.compare).

``compare`` is dispatched before the report's options are parsed and before anything imports
TensorFlow: it reads two files and needs neither.
"""

import sys

if sys.argv[1:2] == ["compare"]:
    from .compare import main as compare

    raise SystemExit(compare(sys.argv[2:], prog="python -m fitters compare"))

from .cli import main
from .quiet import retracing_notices_hidden

retracing_notices_hidden()  # this process is ours: no tf.function retracing notices
raise SystemExit(main(prog="python -m fitters"))
