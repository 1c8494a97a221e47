"""Which device and dtype a run uses."""

from __future__ import annotations

import platform
from pathlib import Path


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
    if requested != "auto":
        return requested
    return "cuda" if visible_gpus() > 0 else "cpu"


def pick_device(requested: str = "auto") -> str:
    """`auto` -> `cuda` when a GPU is usable, else `cpu`; anything else as given."""
    if requested != "auto":
        return requested
    return "cuda" if cuda_available() else "cpu"


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
