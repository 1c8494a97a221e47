"""Device, dtype and batch-size choice, with CUDA mocked."""

from __future__ import annotations

import pytest

from gaptrack.run import device


def test_auto_picks_cuda_when_available(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(device, "cuda_available", lambda: True)
    assert device.pick_device("auto") == "cuda"
    assert device.pick_dtype("auto", "cuda") == "bfloat16"
    assert device.pick_batch_size("auto", "cuda") == "auto"


def test_auto_falls_back_to_cpu(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(device, "cuda_available", lambda: False)
    assert device.pick_device("auto") == "cpu"
    assert device.pick_dtype("auto", "cpu") == "float32"
    assert device.pick_batch_size("auto", "cpu") == 1


def test_explicit_choices_win(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(device, "cuda_available", lambda: True)
    monkeypatch.setattr(device, "cuda_device_count", lambda: 2)
    assert device.pick_device("cpu") == "cpu"
    assert device.pick_device("cuda:1") == "cuda:1"
    assert device.pick_dtype("float16", "cuda") == "float16"
    assert device.pick_batch_size(8, "cpu") == 8


def test_torch_decides_when_a_driver_exists(monkeypatch: pytest.MonkeyPatch) -> None:
    import torch

    monkeypatch.setattr(device.Path, "exists", lambda self: True)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert device.cuda_available() is True
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert device.cuda_available() is False


@pytest.mark.parametrize("bad", ["gpu", "CUDA", "cuda:", "cuda:x", "tpu", ""])
def test_unknown_device_names_are_refused(bad: str) -> None:
    from gaptrack.errors import GaptrackError

    with pytest.raises(GaptrackError, match="is not one of auto, cpu, cuda, cuda:N, mps"):
        device.pick_device(bad)


def test_absent_devices_are_refused_before_anything_loads(monkeypatch: pytest.MonkeyPatch) -> None:
    from gaptrack.errors import GaptrackError

    monkeypatch.setattr(device, "cuda_available", lambda: False)
    with pytest.raises(GaptrackError, match="no CUDA device is usable"):
        device.pick_device("cuda")
    monkeypatch.setattr(device, "cuda_available", lambda: True)
    monkeypatch.setattr(device, "cuda_device_count", lambda: 1)
    assert device.pick_device("cuda:0") == "cuda:0"
    with pytest.raises(GaptrackError, match="has 1 CUDA device"):
        device.pick_device("cuda:1")
    monkeypatch.setattr(device, "mps_available", lambda: False)
    with pytest.raises(GaptrackError, match="MPS"):
        device.pick_device("mps")
