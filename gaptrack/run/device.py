"""Which device and dtype a run uses."""

from __future__ import annotations

import platform
import re
from pathlib import Path

from gaptrack.errors import GaptrackError

DEVICES = "auto, cpu, cuda, cuda:N, mps"
_DEVICE = re.compile(r"auto|cpu|cuda(:\d+)?|mps")


def cuda_available() -> bool:
    # Importing torch costs ~1.5 s; a machine with no GPU driver cannot have CUDA, so the
    # cheap check keeps a fully cached re-run fast. Otherwise torch decides.
    if not any(Path(p).exists() for p in ("/proc/driver/nvidia", "/dev/nvidiactl", "/dev/kfd")):
        return False
    import torch

    return bool(torch.cuda.is_available())


def visible_gpus() -> int:
    """NVIDIA GPUs this process may use, read without torch (for `gaptrack plan`):
    CUDA_VISIBLE_DEVICES where set, else the GPUs the driver lists."""
    import os

    visible = os.environ.get("CUDA_VISIBLE_DEVICES")
    if visible is not None:
        return len([d for d in visible.split(",") if d.strip() and d.strip() != "-1"])
    gpus = Path("/proc/driver/nvidia/gpus")
    return len(list(gpus.iterdir())) if gpus.is_dir() else 0


def guess_device(requested: str = "auto") -> str:
    """`pick_device` without importing torch: `cuda` where the driver shows a GPU. A
    CPU-only torch on a GPU machine makes this guess wrong; `eval` asks torch."""
    if check_device_name(requested) != "auto":
        return requested
    return "cuda" if visible_gpus() > 0 else "cpu"


def cuda_device_count() -> int:
    import torch

    return int(torch.cuda.device_count())


def mps_available() -> bool:
    if platform.system() != "Darwin":
        return False
    import torch

    return bool(torch.backends.mps.is_available())


def check_device_name(requested: str) -> str:
    if not _DEVICE.fullmatch(requested):
        raise GaptrackError(f"--device {requested!r} is not one of {DEVICES}")
    return requested


def pick_device(requested: str = "auto", check_present: bool = True) -> str:
    """`auto` -> `cuda` when a GPU is usable, else `cpu`; an explicit device is checked to be
    one of DEVICES and (``check_present``: not for jobs a cluster runs elsewhere) present here,
    so a run stops before it loads anything."""
    check_device_name(requested)
    if requested == "auto":
        return "cuda" if cuda_available() else "cpu"
    if not check_present:
        return requested
    if requested.startswith("cuda"):
        if not cuda_available():
            raise GaptrackError(
                f"--device {requested}: no CUDA device is usable on this machine "
                "(use --device cpu, or auto)"
            )
        index = int(requested.partition(":")[2] or 0)
        count = cuda_device_count()
        if index >= count:
            raise GaptrackError(
                f"--device {requested}: this machine has {count} CUDA device(s), "
                f"cuda:0 to cuda:{count - 1}"
            )
    if requested == "mps" and not mps_available():
        raise GaptrackError("--device mps: Apple's MPS backend is not available here")
    return requested


def pick_dtype(requested: str, device: str) -> str:
    """`auto` -> bfloat16 on CUDA (what the models ship in), float32 on the CPU (CPU
    bfloat16 kernels are slow and less exact)."""
    if requested != "auto":
        return requested
    return "bfloat16" if device.startswith("cuda") else "float32"


def pick_batch_size(requested: int | str, device: str) -> int | str:
    """`auto` lets lm-eval probe the largest batch on CUDA; on the CPU 1 is fastest per item."""
    if requested == "auto":
        return "auto" if device.startswith("cuda") else 1
    return requested


def device_name(device: str) -> str:
    if device.startswith("cuda"):
        import torch

        index = torch.device(device).index or 0
        return torch.cuda.get_device_name(index)
    return platform.processor() or platform.machine() or "cpu"
