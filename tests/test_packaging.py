"""What a user installs: the version it reports, and the wheel and sdist as built.

``python -m build`` makes the sdist and then the wheel *from that sdist*, so a wheel
that works proves the sdist holds what a build needs. The wheel is installed into a
fresh virtual environment and run as a user runs it: the ``preflight`` script on the
bundled example, writing the JSON and HTML reports.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
import tarfile
import tomllib
import zipfile
from dataclasses import dataclass
from pathlib import Path

import jsonschema
import pytest
from conftest import EXAMPLES, ROOT, run_cli

from preflight.core.version import __version__

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
VERSION = PYPROJECT["project"]["version"]
NAME = f"preflight-{VERSION}"


def test_version_flag_prints_the_package_version() -> None:
    proc = run_cli("--version")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == f"preflight, version {VERSION}\n"
    assert __version__ == VERSION  # the code's version and the package's cannot drift apart


def _run(
    args: list[str], *, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(args, capture_output=True, text=True, cwd=cwd, env=env, timeout=300)
    assert proc.returncode in (0, 1), f"{args}: exit {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
    return proc


@dataclass(frozen=True)
class Built:
    sdist: Path
    wheel: Path


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    out = tmp_path_factory.mktemp("dist")
    # --no-isolation: the backend (hatchling, in the dev extra) comes from this
    # environment, so the build needs no network and takes seconds.
    _run([sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(ROOT)], cwd=out)
    return Built(sdist=out / f"{NAME}.tar.gz", wheel=out / f"{NAME}-py3-none-any.whl")


def _package_files() -> set[str]:
    """Every file of the source package, as a path in the wheel."""
    return {
        p.relative_to(ROOT).as_posix()
        for p in (ROOT / "preflight").rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"
    }


@pytest.mark.slow
def test_the_wheel_carries_the_package_its_data_and_the_script(built: Built) -> None:
    with zipfile.ZipFile(built.wheel) as whl:
        names = set(whl.namelist())
        missing = _package_files() - names
        assert not missing, f"not in the wheel: {sorted(missing)[:10]}"
        assert "preflight/reporters/html/templates/report.html.j2" in names
        schema = whl.read("preflight/schemas/report.schema.json")
        assert schema == (ROOT / "schemas" / "report.schema.json").read_bytes()
        entry_points = whl.read(f"{NAME}.dist-info/entry_points.txt").decode()
        assert "preflight = preflight.cli:main" in entry_points
        metadata = whl.read(f"{NAME}.dist-info/METADATA").decode()
    assert f"Version: {VERSION}\n" in metadata
    for dep in PYPROJECT["project"]["dependencies"]:
        assert f"Requires-Dist: {dep}\n" in metadata
    assert not any(n.startswith(("tests/", "benchmarks/", "examples/")) for n in names)


@pytest.mark.slow
def test_the_sdist_holds_what_a_build_needs_and_no_caches(built: Built) -> None:
    with tarfile.open(built.sdist) as sdist:
        names = {n.removeprefix(f"{NAME}/") for n in sdist.getnames()}
    needed = {"pyproject.toml", "README.md", "schemas/report.schema.json"} | _package_files()
    assert not needed - names, sorted(needed - names)[:10]
    assert {"examples/penguins-raw.csv", "tests/conftest.py"} <= names  # the demo and tests run from it
    junk = [
        n
        for n in names
        if any(
            part.startswith((".import_linter", ".pytest", ".mypy", ".ruff")) or part == "__pycache__"
            for part in n.split("/")
        )
    ]
    assert junk == []


@pytest.mark.slow
def test_the_wheel_installed_in_a_fresh_venv_checks_the_example(built: Built, tmp_path: Path) -> None:
    env_dir = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(env_dir)], check=True, timeout=120)
    python = env_dir / "bin" / "python"
    # The wheel alone (--no-deps, --no-index: nothing from the network), installed by this
    # environment's pip into the new one.
    _run([sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet", "--no-deps",
          "--no-index", str(built.wheel)], cwd=tmp_path)  # fmt: skip
    # The dependencies (pandas, scikit-learn, cleanlab, ...) resolve from this
    # environment's site-packages through a .pth line, appended *after* the new
    # environment's own: so preflight itself can only come from the wheel (this
    # environment's editable install is a .pth hook inside that directory, and .pth
    # files of a directory added that way are not run). --system-site-packages would
    # not do: it exposes the base interpreter's packages, not this venv's, and would let
    # a copy of preflight there stand in for files the wheel forgot.
    site = Path(_run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                     cwd=tmp_path).stdout.strip())  # fmt: skip
    here = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (site / "_preflight_test_deps.pth").write_text("".join(f"{p}\n" for p in sorted(here)))
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}  # not the source tree
    work = tmp_path / "work"  # no pyproject.toml above it that could configure the run
    work.mkdir()

    where = _run([str(python), "-c", "import preflight; print(preflight.__file__)"], cwd=work, env=env)
    assert Path(where.stdout.strip()).is_relative_to(site), where.stdout
    script = env_dir / "bin" / "preflight"
    assert _run([str(script), "--version"], cwd=work, env=env).stdout == f"preflight, version {VERSION}\n"

    data = str(EXAMPLES / "penguins-raw.csv")
    report_json, report_html = work / "report.json", work / "report.html"
    args = [str(script), "check", data, "--target", "Species", "--no-progress"]
    json_run = _run([*args, "--format", "json", "--output", str(report_json)], cwd=work, env=env)
    assert json_run.returncode == 0, json_run.stdout + json_run.stderr  # the raw penguins pass
    assert "PASS" in json_run.stdout  # the terminal summary still printed
    report = json.loads(report_json.read_text(encoding="utf-8"))
    # Validated against the schema the wheel installed, not the source tree's.
    schema = json.loads((site / "preflight" / "schemas" / "report.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(report, schema)
    assert report["preflight_version"] == VERSION and report["dataset"]["rows"] == 344
    assert {"DQ001", "DQ005", "SN001"} <= {f["code"] for f in report["findings"]}

    html_run = _run(
        [*args, "--no-models", "--format", "html", "--output", str(report_html)], cwd=work, env=env
    )
    assert html_run.returncode == 0, html_run.stderr
    page = report_html.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and f'content="preflight {VERSION}"' in page  # the template
    assert "Adelie Penguin" in page and "Body Mass (g)" in page
