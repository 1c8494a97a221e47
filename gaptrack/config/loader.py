"""Reading configs and catalogues from YAML into typed objects, with one-line errors
that name the file and the field."""

from __future__ import annotations

from pathlib import Path
from typing import Any, NamedTuple

import yaml
from pydantic import ValidationError

from gaptrack.config.schema import Config, ModelSpec
from gaptrack.errors import (
    ConfigError,
    GaptrackError,
    did_you_mean,
    field_problem,
    read_text_file,
)
from gaptrack.paths import data_home, inside_package, shipped

_SOURCE_TAGS = {"hub", "local", "packaged"}


# libyaml's parser where PyYAML was built with it (the wheels are): the claims registry
# alone took half a second with the pure-Python one.
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


_MERGE_TAG = "tag:yaml.org,2002:merge"

MAX_ALIAS_NODES = 100_000
"""Nodes aliases may add to a document beyond those written: no gaptrack file needs more
than a few, and a "billion laughs" (aliases of aliases, nine deep) would otherwise expand to
10^9 values in memory, or into a file name too long for the system."""


class DuplicateKeyError(yaml.YAMLError):
    """A mapping key given twice: YAML keeps the last value silently, so `models:` given
    twice would drop the first list without a word."""

    def __init__(self, key: object, first_line: int, line: int):
        super().__init__(f"duplicate key {key!r}")
        self.key = key
        self.first_line = first_line
        self.line = line


class AliasBombError(yaml.YAMLError):
    """Aliases that expand past MAX_ALIAS_NODES, or an alias inside its own anchor."""


def _check_aliases(root: yaml.Node) -> None:
    """Count the nodes the document expands to, each node once with its children's counts
    remembered (linear in the nodes written, however deep the aliases go)."""
    expanded: dict[int, int] = {}
    written = 0
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    open_nodes: set[int] = set()
    while stack:
        node, done = stack.pop()
        key = id(node)
        children = _children(node)
        if done:
            open_nodes.discard(key)
            expanded[key] = 1 + sum(expanded[id(child)] for child in children)
            continue
        if key in expanded:
            continue
        if key in open_nodes:
            raise AliasBombError("an alias refers to the node that holds it (a recursive alias)")
        open_nodes.add(key)
        written += 1
        stack.append((node, True))
        for child in children:
            if id(child) in open_nodes:
                raise AliasBombError(
                    "an alias refers to the node that holds it (a recursive alias)"
                )
            if id(child) not in expanded:
                stack.append((child, False))
    if expanded[id(root)] - written > MAX_ALIAS_NODES:
        raise AliasBombError(
            f"aliases expand to {expanded[id(root)]:,} values from {written:,} written "
            f"(more than {MAX_ALIAS_NODES:,} added: a YAML alias bomb?)"
        )


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []


class _Loader(_SafeLoader):
    """SafeLoader that leaves dates as strings (pydantic parses them and can then name
    the field of a bad date, where PyYAML would raise with no field at all), refuses a key
    given twice in one mapping, and refuses aliases that expand past MAX_ALIAS_NODES."""

    def get_single_data(self) -> Any:
        node = self.get_single_node()
        if node is None:
            return None
        _check_aliases(node)
        return self.construct_document(node)

    def construct_mapping(self, node: yaml.Node, deep: bool = False) -> Any:
        if isinstance(node, yaml.MappingNode):
            # Keys as Python compares them: `1` and `true` would also share one entry.
            seen: dict[object, int] = {}
            for key_node, _ in node.value:
                if key_node.tag == _MERGE_TAG or not isinstance(key_node, yaml.ScalarNode):
                    continue  # merged keys may be overridden; other keys fail as unhashable
                key = self.construct_object(key_node)
                line = key_node.start_mark.line + 1
                if key in seen:
                    raise DuplicateKeyError(key, seen[key], line)
                seen[key] = line
        return super().construct_mapping(node, deep)


StrictLoader = _Loader
"""The loader of every YAML file gaptrack reads (a CSafeLoader subclass): dates kept as
text, duplicate keys and alias bombs refused."""

_Loader.yaml_implicit_resolvers = {
    key: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def field_path(loc: tuple[Any, ...]) -> str:
    """('models', 2, 'source', 'local', 'path') -> 'models[2].source.path'."""
    out = ""
    previous = None
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif previous == "source" and part in _SOURCE_TAGS:
            pass  # pydantic's discriminator tag, not a key the user wrote
        elif isinstance(part, str) and part.startswith(("function-", "union[")):
            pass
        else:
            out += f".{part}" if out else str(part)
        previous = part
    return out


def validation_error(exc: ValidationError, file: Path, prefix: str = "") -> ConfigError:
    errors = exc.errors()
    # An unknown key explains the other errors (a misspelt field is also "missing").
    first = next((e for e in errors if e["type"] == "extra_forbidden"), errors[0])
    loc = field_path(first["loc"])
    msg = first["msg"].removeprefix("Value error, ")
    if first["type"] == "extra_forbidden":
        msg = "unknown key (not part of the schema)"
    elif first["type"] == "union_tag_invalid":
        msg = "source.kind must be one of: hub, local, packaged"
    # Validators that span a list (duplicate ids, repeated tasks) name the item they blame.
    problem = field_problem(first)
    if problem is not None:
        loc = ".".join(part for part in (loc, problem.field) if part)
        msg = problem.message
    return ConfigError(msg, file=file, field=f"{prefix}{loc}" or None)


def read_yaml(
    path: Path,
    what: str = "file",
    mapping: str = "a mapping at the top level",
    invalid: str = "invalid YAML",
) -> dict[str, Any]:
    text = read_text_file(path, what)
    try:
        data = yaml.load(text, Loader=_Loader)  # noqa: S506 (a SafeLoader subclass)
    except RecursionError:
        raise ConfigError(f"{invalid}: nested too deeply", file=path) from None
    except DuplicateKeyError as exc:
        raise ConfigError(
            f"duplicate key {exc.key!r} (first given on line {exc.first_line})",
            file=path,
            field=f"line {exc.line}",
        ) from None
    except AliasBombError as exc:
        raise ConfigError(f"{invalid}: {exc}", file=path) from None
    except yaml.YAMLError as exc:
        if "maximum nesting depth" in str(exc):  # libyaml's own limit
            raise ConfigError(f"{invalid}: nested too deeply", file=path) from None
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else None
        problem = getattr(exc, "problem", None) or "not valid YAML"
        raise ConfigError(f"{invalid}: {problem}", file=path, field=where) from None
    if not isinstance(data, dict):
        raise ConfigError(f"expected {mapping}", file=path)
    return data


SHIPPED_CATALOGUES = {"packaged": "packaged_models.yaml", "hub": "catalogue.yaml"}
"""Catalogues a config can name without a path: `catalogue: [packaged]`."""


def shipped_configs_dir() -> Path:
    return shipped("configs")


def find_config(name: str | Path) -> Path:
    """A path as given; else NAME.yaml in the current folder, in its configs/, or among
    the configs gaptrack ships."""
    path = Path(name)
    if _is_file(path):
        return path
    folders = (Path.cwd(), Path.cwd() / "configs", shipped_configs_dir())
    for folder in folders:
        for candidate in (folder / path, folder / f"{path}.yaml"):
            if _is_file(candidate):
                return candidate
    import difflib

    names = {p.stem for folder in folders if folder.is_dir() for p in folder.glob("*.yaml")}
    close = difflib.get_close_matches(path.name.removesuffix(".yaml"), sorted(names), n=3)
    hint = f"; did you mean {' or '.join(map(repr, close))}?" if close else ""
    raise ConfigError(
        "config not found (looked for the file, NAME.yaml here, in ./configs/ and among "
        f"the shipped configs: gaptrack configs lists them){hint}",
        file=path,
    )


def _user_path(text: str) -> Path:
    """`~/x` expanded; `~someone/x` of a user this machine does not know stays as written
    (and is then reported as a missing file or folder, not as a RuntimeError)."""
    try:
        return Path(text).expanduser()
    except RuntimeError:
        return Path(text)


def _absolutise_sources(models: list[Any], base: Path, file: Path, prefix: str) -> None:
    for i, model in enumerate(models):
        if not isinstance(model, dict):
            continue
        source = model.get("source")
        if isinstance(source, dict) and source.get("kind") == "local" and "path" in source:
            field = f"{prefix}[{i}].source.path"
            source["path"] = _relative_to(source["path"], base, file, field)


def _check_local_folders(models: list[ModelSpec], file: Path, prefix: str, index_of) -> None:
    for model in models:
        source = model.source
        if source.kind == "local" and not _is_dir(source.path):
            raise ConfigError(
                f"model folder {source.path} does not exist",
                file=file,
                field=f"{prefix}[{index_of(model)}].source.path",
            )


def load_catalogue(path: Path) -> dict[str, ModelSpec]:
    data = read_yaml(path)
    unknown = set(data) - {"models"}
    if unknown:
        raise ConfigError(
            "unknown key (not part of the schema)", file=path, field=sorted(unknown)[0]
        )
    raw = data.get("models")
    if not isinstance(raw, list):
        raise ConfigError("expected a list of models", file=path, field="models")
    _absolutise_sources(raw, path.parent, path, "models")
    out: dict[str, ModelSpec] = {}
    for i, entry in enumerate(raw):
        try:
            model = ModelSpec.model_validate(entry)
        except ValidationError as exc:
            raise validation_error(exc, path, prefix=f"models[{i}].") from None
        if model.id in out:
            raise ConfigError(
                f"duplicate model id {model.id!r}", file=path, field=f"models[{i}].id"
            )
        out[model.id] = model
    _check_local_folders(list(out.values()), path, "models", lambda m: list(out).index(m.id))
    return out


def _catalogue_path(entry: object, base: Path) -> Path:
    name = str(entry)
    if name in SHIPPED_CATALOGUES:
        return shipped_configs_dir() / SHIPPED_CATALOGUES[name]
    path = _user_path(name)
    return path if path.is_absolute() else base / path


def _is_file(path: Path) -> bool:
    """Path.is_file that is False, not an OSError, for a name the system cannot hold
    (too long, a NUL byte, no permission to look)."""
    try:
        return path.is_file()
    except (OSError, ValueError):
        return False


def _is_dir(path: Path) -> bool:
    """Path.is_dir, False where the name cannot be looked up (see _is_file)."""
    try:
        return path.is_dir()
    except (OSError, ValueError):
        return False


def _exists(path: Path) -> bool:
    try:
        return path.exists()
    except (OSError, ValueError):
        return False


def _load_catalogues(data: dict[str, Any], file: Path) -> dict[str, ModelSpec]:
    catalogue: dict[str, ModelSpec] = {}
    raw_catalogues = data.get("catalogue", [])
    if isinstance(raw_catalogues, str):
        raw_catalogues = [raw_catalogues]
    if isinstance(raw_catalogues, list):
        for i, entry in enumerate(raw_catalogues):
            if not isinstance(entry, str) or not entry.strip() or "\x00" in entry:
                raise ConfigError(
                    "expected a catalogue file name, or packaged / hub",
                    file=file,
                    field=f"catalogue[{i}]",
                )
        paths = [_catalogue_path(entry, file.parent) for entry in raw_catalogues]
        data["catalogue"] = [str(p) for p in paths]
        for i, cat_path in enumerate(paths):
            if not _is_file(cat_path):
                raise ConfigError(
                    f"catalogue {cat_path} not found", file=file, field=f"catalogue[{i}]"
                )
            catalogue.update(load_catalogue(cat_path))
    return catalogue


def _resolve_models(data: dict[str, Any], file: Path, catalogue: dict[str, ModelSpec]) -> None:
    models = data.get("models")
    if not isinstance(models, list):
        return
    resolved: list[Any] = []
    for i, entry in enumerate(models):
        if isinstance(entry, str):
            if entry not in catalogue:
                raise ConfigError(
                    f"{entry!r} is not a model of the catalogue; {did_you_mean(entry, catalogue)}",
                    file=file,
                    field=f"models[{i}]",
                )
            resolved.append(catalogue[entry].model_dump())
        else:
            resolved.append(entry)
    _absolutise_sources(resolved, file.parent, file, "models")
    data["models"] = resolved


def _relative_to(value: object, base: Path, file: Path, field: str) -> object:
    if not isinstance(value, str):
        return value  # the schema reports the wrong type
    if "\x00" in value:  # no file system takes it; os calls would raise ValueError
        raise ConfigError("a path cannot hold a NUL byte", file=file, field=field)
    path = _user_path(value)
    return str(path if path.is_absolute() else (base / path).resolve())


def _resolve_paths(data: dict[str, Any], file: Path, results_base: Path) -> None:
    """Every path a config holds is relative to the config file, wherever gaptrack runs."""
    data["results_dir"] = _relative_to(
        data.get("results_dir", "results"), results_base, file, "results_dir"
    )
    suite = data.get("suite")
    if isinstance(suite, dict) and isinstance(suite.get("task_paths"), list):
        suite["task_paths"] = [
            _relative_to(p, file.parent, file, f"suite.task_paths[{i}]")
            for i, p in enumerate(suite["task_paths"])
        ]


def load_config(path: str | Path) -> Config:
    """Read, resolve and validate a config; raises ConfigError naming file and field.
    Paths in it (catalogue, results_dir, model folders, task_paths) are relative to the
    config file (results of a config inside an installed package: gaptrack.paths.data_home)."""
    file = find_config(path)
    data = read_yaml(file)
    _resolve_models(data, file, _load_catalogues(data, file))
    # The package folder is no place for results: a config run straight from an installed
    # package writes them as if it lived in <data home>/configs.
    results_base = data_home() / "configs" if inside_package(file) else file.parent
    _resolve_paths(data, file, results_base)
    try:
        config = Config.model_validate({**data, "source_file": file.resolve()})
    except ValidationError as exc:
        raise validation_error(exc, file) from None
    if _exists(config.results_dir) and not _is_dir(config.results_dir):
        raise ConfigError(
            f"{config.results_dir} is a file, not a folder", file=file, field="results_dir"
        )
    ids = [m.id for m in config.models]
    _check_local_folders(config.models, file, "models", lambda m: ids.index(m.id))
    for i, folder in enumerate(config.suite.task_paths):
        if not _is_dir(folder):
            raise ConfigError(
                f"task folder {folder} does not exist", file=file, field=f"suite.task_paths[{i}]"
            )
    return config


def copy_shipped_config(name: str, folder: Path) -> tuple[Path, Path]:
    """`gaptrack configs --copy NAME`: shipped config NAME written to FOLDER/NAME.yaml with
    its results in FOLDER/results/NAME; returns (the file, its results folder). Never
    overwrites; an unknown NAME gets the nearest shipped names."""
    import re

    source = shipped_configs_dir() / f"{name}.yaml"
    target = folder / f"{name}.yaml"
    if not source.is_file():
        shipped_names = [p.stem for p in shipped_configs_dir().glob("*.yaml")]
        raise ConfigError(
            f"no shipped config {name!r}; {did_you_mean(name, shipped_names)}", field="--copy"
        )
    if target.exists():
        raise ConfigError("exists; not overwritten", file=target)
    text = source.read_text(encoding="utf-8")
    text = re.sub(r"(?m)^results_dir:.*$", f"results_dir: results/{name}", text)
    target.write_text(text, encoding="utf-8")
    return target, folder / "results" / name


class ConfigEntry(NamedTuple):
    """One config `-c NAME` can find (`gaptrack configs`)."""

    path: Path
    where: str
    """here, ./configs or shipped."""
    models: int | None
    """Models it lists (None: not a list)."""
    description: str


def list_configs(folder: Path) -> list[ConfigEntry]:
    """The configs `-c NAME` finds from `folder`: in it, in its configs/, then shipped; a
    name found twice, a catalogue or a YAML that is not a config is left out."""
    catalogues = set(SHIPPED_CATALOGUES.values())
    places = [
        ("here", folder),
        ("./configs", folder / "configs"),
        ("shipped", shipped_configs_dir()),
    ]
    seen: set[Path] = set()
    found = []
    for label, place in places:
        paths = sorted(p for p in place.glob("*.yaml") if p.is_file()) if place.is_dir() else []
        for path in paths:
            if path.resolve() in seen or path.name in catalogues:
                continue
            seen.add(path.resolve())
            try:
                data = read_yaml(path)
            except GaptrackError:
                continue  # not readable as YAML: not listed (-c would name the problem)
            if "models" not in data or "suite" not in data:
                continue  # not a config (a catalogue, or another YAML)
            models = data.get("models")
            count = len(models) if isinstance(models, list) else None
            found.append(ConfigEntry(path, label, count, str(data.get("description", ""))))
    return found
