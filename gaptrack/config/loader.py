"""Reading configs and catalogues from YAML into typed objects, with one-line errors
that name the file and the field."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from gaptrack.config.schema import Config, ModelSpec
from gaptrack.errors import ConfigError, field_problem, read_text_file
from gaptrack.paths import data_home, inside_package, shipped

_SOURCE_TAGS = {"hub", "local", "packaged"}


# libyaml's parser where PyYAML was built with it (the wheels are): the claims registry
# alone took half a second with the pure-Python one.
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_SafeLoader):
    """SafeLoader that leaves dates as strings: pydantic parses them and can then name
    the field of a bad date, where PyYAML would raise with no field at all."""


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
    if path.is_file():
        return path
    folders = (Path.cwd(), Path.cwd() / "configs", shipped_configs_dir())
    for folder in folders:
        for candidate in (folder / path, folder / f"{path}.yaml"):
            if candidate.is_file():
                return candidate
    raise ConfigError(
        "config not found (looked for the file, NAME.yaml here, in ./configs/ and among "
        "the shipped configs: gaptrack configs lists them)",
        file=path,
    )


def _absolutise_sources(models: list[Any], base: Path) -> None:
    for model in models:
        if not isinstance(model, dict):
            continue
        source = model.get("source")
        if isinstance(source, dict) and source.get("kind") == "local" and "path" in source:
            path = Path(str(source["path"])).expanduser()
            source["path"] = str(path if path.is_absolute() else (base / path).resolve())


def _check_local_folders(models: list[ModelSpec], file: Path, prefix: str, index_of) -> None:
    for model in models:
        source = model.source
        if source.kind == "local" and not source.path.is_dir():
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
    _absolutise_sources(raw, path.parent)
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
    path = Path(name).expanduser()
    return path if path.is_absolute() else base / path


def _load_catalogues(data: dict[str, Any], file: Path) -> dict[str, ModelSpec]:
    catalogue: dict[str, ModelSpec] = {}
    raw_catalogues = data.get("catalogue", [])
    if isinstance(raw_catalogues, str):
        raw_catalogues = [raw_catalogues]
    if isinstance(raw_catalogues, list):
        paths = [_catalogue_path(entry, file.parent) for entry in raw_catalogues]
        data["catalogue"] = [str(p) for p in paths]
        for i, cat_path in enumerate(paths):
            if not cat_path.is_file():
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
                    f"{entry!r} is not a model of the catalogue", file=file, field=f"models[{i}]"
                )
            resolved.append(catalogue[entry].model_dump())
        else:
            resolved.append(entry)
    _absolutise_sources(resolved, file.parent)
    data["models"] = resolved


def _relative_to(value: object, base: Path) -> object:
    if not isinstance(value, str):
        return value  # the schema reports the wrong type
    path = Path(value).expanduser()
    return str(path if path.is_absolute() else (base / path).resolve())


def _resolve_paths(data: dict[str, Any], base: Path, results_base: Path) -> None:
    """Every path a config holds is relative to the config file, wherever gaptrack runs."""
    data["results_dir"] = _relative_to(data.get("results_dir", "results"), results_base)
    suite = data.get("suite")
    if isinstance(suite, dict) and isinstance(suite.get("task_paths"), list):
        suite["task_paths"] = [_relative_to(str(p), base) for p in suite["task_paths"]]


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
    _resolve_paths(data, file.parent, results_base)
    try:
        config = Config.model_validate({**data, "source_file": file.resolve()})
    except ValidationError as exc:
        raise validation_error(exc, file) from None
    if config.results_dir.exists() and not config.results_dir.is_dir():
        raise ConfigError(
            f"{config.results_dir} is a file, not a folder", file=file, field="results_dir"
        )
    ids = [m.id for m in config.models]
    _check_local_folders(config.models, file, "models", lambda m: ids.index(m.id))
    for i, folder in enumerate(config.suite.task_paths):
        if not folder.is_dir():
            raise ConfigError(
                f"task folder {folder} does not exist", file=file, field=f"suite.task_paths[{i}]"
            )
    return config
