"""Whether lm-eval can download a task's data from the Hugging Face hub right now."""

from __future__ import annotations

import os
import socket
from urllib.parse import urlparse

_TRUE = {"1", "ON", "YES", "TRUE"}
# datasets obeys both; transformers (model weights) only the hub's.
DATA_FLAGS = ("HF_DATASETS_OFFLINE", "HF_HUB_OFFLINE")
MODEL_FLAGS = ("HF_HUB_OFFLINE",)


def offline_flag(flags: tuple[str, ...] = DATA_FLAGS) -> str | None:
    """The environment variable among ``flags`` that turns the hub off, if one is set."""
    for flag in flags:
        if os.environ.get(flag, "").strip().upper() in _TRUE:
            return flag
    return None


def hub_unavailable(
    probe: bool = True, flags: tuple[str, ...] = DATA_FLAGS, timeout_s: float = 3.0
) -> str | None:
    """Why the hub cannot serve data (or, with MODEL_FLAGS, models) now; None: it can.
    ``probe`` opens one TCP connection to the hub's endpoint when no flag is set; without it
    only the flags count."""
    flag = offline_flag(flags)
    if flag is not None:
        return f"{flag}={os.environ[flag]} is set"
    if not probe:
        return None
    endpoint = urlparse(os.environ.get("HF_ENDPOINT") or "https://huggingface.co")
    host = endpoint.hostname or "huggingface.co"
    port = endpoint.port or (80 if endpoint.scheme == "http" else 443)
    try:
        socket.create_connection((host, port), timeout=timeout_s).close()
    except OSError as exc:
        return f"{host} is unreachable ({type(exc).__name__})"
    return None
