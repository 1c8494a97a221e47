"""The Python API that the CLI is a thin layer over; scripts import from here.

from gaptrack.api import load_config, evaluate, EvalRequest
summary = evaluate(load_config("demo"), EvalRequest(limit=20))
"""

from gaptrack.config import load_config
from gaptrack.run.evaluate import EvalSummary, evaluate
from gaptrack.run.plan import EvalRequest, make_plan
from gaptrack.store import ResultRecord, Store
from gaptrack.validate import validate_config

__all__ = [
    "EvalRequest",
    "EvalSummary",
    "ResultRecord",
    "Store",
    "evaluate",
    "load_config",
    "make_plan",
    "validate_config",
]
