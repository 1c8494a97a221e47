"""Few-shot sampler for local copies that lack the split lm-eval draws examples from.

Generated task YAMLs name it with ``!function``, so lm-eval imports this module only when it
builds such a task; resolution itself never imports lm-eval.
"""

from __future__ import annotations

from typing import Any

from lm_eval.api.samplers import ContextSampler

from gaptrack.errors import GaptrackError


class MissingFewshotSplit(ContextSampler):
    """Refuses num_fewshot > 0 instead of silently drawing examples from another split.

    lm-eval builds the sampler even for 0-shot runs and hands it only documents, so the generated
    YAML passes one document describing what is missing (task, split, data_source).
    """

    def sample(self, n: int, eval_doc: Any = None, df: Any = None, **kwargs: Any) -> list:
        if n == 0:
            return []
        missing = self.df[0]
        raise GaptrackError(
            f"{missing['task']}: the local copy ({missing['data_source']}) has no "
            f"'{missing['split']}' split, which lm-eval draws this task's few-shot examples "
            "from; run it with num_fewshot 0, or with tasks mode 'hub'"
        )
