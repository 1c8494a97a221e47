"""A local HTTP server (127.0.0.1, a thread) serving recorded copies of the evidence
sources in their real formats, for the `gaptrack update` tests: never the network.

Each path serves bytes with an ETag (their sha256) and a Last-Modified date, answers a
matching If-None-Match with 304, and can be told to misbehave: `truncate` (announce the
full length, send half and close), `slow` (wait before answering), a missing path (404)."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import threading
import time
import zipfile
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from gaptrack.paths import shipped

EVIDENCE = shipped("evidence")


@dataclass
class Served:
    data: bytes
    last_modified: str = "Mon, 01 Dec 2026 08:00:00 GMT"
    truncate: bool = False
    slow_s: float = 0.0
    etag: bool = True


@dataclass
class Server:
    files: dict[str, Served] = field(default_factory=dict)
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    port: int = 0

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}/{path}"


def serve(server: Server) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):  # quiet tests
            pass

        def do_GET(self):  # noqa: N802 (http.server's name)
            path = self.path.lstrip("/")
            server.requests.append((path, dict(self.headers)))
            item = server.files.get(path)
            if item is None:
                self.send_error(404)
                return
            if item.slow_s:
                time.sleep(item.slow_s)
            tag = f'"{hashlib.sha256(item.data).hexdigest()[:16]}"'
            if item.etag and self.headers.get("If-None-Match") == tag:
                self.send_response(304)
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Length", str(len(item.data)))
            if item.etag:
                self.send_header("ETag", tag)
            self.send_header("Last-Modified", item.last_modified)
            self.end_headers()
            try:
                self.wfile.write(item.data[: len(item.data) // 2] if item.truncate else item.data)
                self.wfile.flush()
            except (BrokenPipeError, ConnectionResetError):
                pass
            if item.truncate:
                self.close_connection = True

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    server.port = httpd.server_address[1]
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd


# Recorded copies: the shipped source files and excerpts, in the formats the sources publish.


def epoch_zip(changes: dict[str, bytes] | None = None) -> bytes:
    """Epoch's download layout (benchmark_data/<file>.csv): the shipped GPQA Diamond, MMLU
    and ECI files, with `changes` replacing or adding members."""
    folder = EVIDENCE / "epoch" / "april2026"
    members = {
        name: (folder / name).read_bytes()
        for name in ("gpqa_diamond.csv", "mmlu_external.csv", "epoch_capabilities_index.csv")
    }
    members.update(changes or {})
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in sorted(members.items()):
            # fixed timestamps: the same members give the same bytes
            info = zipfile.ZipInfo(f"benchmark_data/{name}", date_time=(2026, 12, 1, 0, 0, 0))
            archive.writestr(info, data)
    return buffer.getvalue()


def gpqa_rescored(version: str, score: float) -> bytes:
    """The shipped GPQA Diamond file with one model version's best score changed."""
    text = (EVIDENCE / "epoch" / "april2026" / "gpqa_diamond.csv").read_text(encoding="utf-8")
    reader = csv.DictReader(io.StringIO(text))
    rows = list(reader)
    hit = [r for r in rows if r["Model version"] == version]
    assert hit, version
    hit[0]["Best score (across scorers)"] = repr(score)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=reader.fieldnames, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


NEW_WEEK = {
    # two entries the shipped board has not seen, as a later week's board has
    "gpt-5.5": {"rating": 1520.0, "rating_q025": 1511.0, "rating_q975": 1529.0},
    "qwen3.5-max-preview": {"rating": 1490.0, "rating_q025": 1478.0, "rating_q975": 1502.0},
}


def leaderboard_json(extra: dict[str, dict] | None = None, style: bool = False) -> bytes:
    """LMArena's leaderboard-text.json layout (or its style-controlled twin): the latest
    shipped snapshot's records."""
    name = (
        "leaderboard_text_style_control_excerpt.json" if style else "leaderboard_text_excerpt.json"
    )
    excerpt = json.loads((EVIDENCE / "sources" / "arena" / name).read_text())
    latest = max(excerpt.values(), key=lambda e: e["date"])
    full = {**latest["full"], **NEW_WEEK, **(extra or {})}
    return json.dumps({"full": full, "coding": {}}, indent=1).encode("utf-8")


def alltime_csv() -> bytes:
    """The Arena history file's layout: the shipped excerpt's lines."""
    return (EVIDENCE / "sources" / "arena" / "alltime_excerpt.csv").read_bytes()


def llmstats_model_files(scores: dict[tuple[str, str], float] | None = None) -> dict[str, bytes]:
    """LLMStats' models/<org>/<model>/model.json files as the shipped excerpt records them
    (the fields gaptrack reads), with `scores` ((path, dataset name) -> score) changed."""
    excerpt = json.loads((EVIDENCE / "sources" / "llmstats" / "excerpt.json").read_text())
    files = {}
    unknown = {path for path, _ in scores or {}} - set(excerpt["files"])
    assert not unknown, unknown
    for path, entry in excerpt["files"].items():
        metrics = [
            {**m, "score": (scores or {}).get((path, m["dataset_name"]), m["score"])}
            for m in entry["metrics"]
        ]
        model = {k: entry[k] for k in ("name", "release_date", "license", "param_count")}
        files[path] = json.dumps({**model, "qualitative_metrics": metrics}, indent=2).encode()
    # a model of an organisation gaptrack does not read: left out
    files["models/mistral/mistral-large/model.json"] = json.dumps(
        {"name": "Mistral Large", "qualitative_metrics": []}
    ).encode()
    return files


def llmstats_zip(files: dict[str, bytes] | None = None, commit: str | None = None) -> bytes:
    """GitHub's zip of the LLMStats repository: members under `LLMStats-main/`, the
    commit in the archive's comment (the shipped excerpt's commit by default)."""
    excerpt = json.loads((EVIDENCE / "sources" / "llmstats" / "excerpt.json").read_text())
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in sorted((files or llmstats_model_files()).items()):
            info = zipfile.ZipInfo(f"LLMStats-main/{name}", date_time=(2026, 12, 1, 0, 0, 0))
            archive.writestr(info, data)
        archive.comment = (excerpt["commit"] if commit is None else commit).encode()
    return buffer.getvalue()


def sources_yaml(path: Path, server: Server, names: dict[str, str]) -> Path:
    """A sources file pointing each named source at the local server."""
    lines = ["sources:"]
    for name, served_path in names.items():
        lines += [f"  - name: {name}", f"    url: {server.url(served_path)}"]
    path.write_text("\n".join(lines) + "\n")
    return path
