"""A runner that runs no model: deterministic outcomes, counted loads, injectable failures."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

from gaptrack.run.runner import ModelJob, TaskFailure, TaskJob, TaskOutcome
from gaptrack.store import Item, Metric


class FakeRunner:
    def __init__(
        self, fail_on: tuple[str, str] | None = None, task_fails: tuple[str, str] | None = None
    ) -> None:
        self.loads: list[str] = []
        self.ran: list[tuple[str, str]] = []
        self.fail_on = fail_on  # the runner crashes there (the model broke)
        self.task_fails = task_fails  # that task alone fails, as lm-eval's errors do

    def run_model(self, job: ModelJob) -> Iterator[tuple[TaskJob, TaskOutcome]]:
        self.loads.append(job.model.id)
        for task in job.tasks:
            if self.fail_on == (job.model.id, task.task):
                raise RuntimeError(f"simulated crash in {task.task}")
            if self.task_fails == (job.model.id, task.task):
                yield task, TaskFailure(f"OSError: no data for {task.task} offline")
                continue
            self.ran.append((job.model.id, task.task))
            yield task, fake_outcome(job.model.id, task.task, task.limit or 10)


def fake_outcome(model_id: str, task: str, n: int) -> TaskOutcome:
    seed = int(hashlib.sha256(f"{model_id}/{task}".encode()).hexdigest(), 16)
    correct = [bool((seed >> i) & 1) for i in range(n)]
    acc = sum(correct) / n
    return TaskOutcome(
        metrics=[Metric(name="acc", value=acc, stderr=(acc * (1 - acc) / (n - 1)) ** 0.5)],
        items=[
            Item(doc_id=i, prompt_hash=f"p{i}", correct=c, scores={"acc": float(c)})
            for i, c in enumerate(correct)
        ],
        primary_metric="acc",
        n_samples=n,
        n_total=n,
        version="1.0",
        task_hash="fake",
    )
