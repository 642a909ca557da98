"""The package as a deployment gets it: a wheel built from this tree, installed into a fresh venv.

An editable install reads the catalogs from the checkout, so only a real wheel shows whether a
Quechua or Aymara reader of a production install gets their language or silently Spanish.
No network: the wheel is built without isolation (setuptools is a dev dependency) and the fresh venv
borrows this venv's third-party packages through a .pth file, never its editable `bot`.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tomllib
import zipfile
from pathlib import Path

import polib
import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
# What the build reads; copied so the build leaves no build/ or egg-info behind in the checkout.
BUILD_INPUTS = ("pyproject.toml", "setup.py", "README.md", "LICENSE", "bot", "db", "locales")


def run(*command: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "PYTHONHOME"}}
    return subprocess.run(
        [str(part) for part in command], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
    )


def locked() -> dict[str, str]:
    """requirements.lock as canonical name -> version."""
    pins = {}
    for line in (ROOT / "requirements.lock").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            name, version = line.split("==")
            pins[canonicalize_name(name)] = version
    return pins


def test_the_lock_pins_every_dependency_within_its_range() -> None:
    pins = locked()
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    for line in project["dependencies"]:
        requirement = Requirement(line)
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{name} is not in requirements.lock: run scripts/lock.sh"
        assert requirement.specifier.contains(pins[name]), f"{name}=={pins[name]}: run scripts/lock.sh"
    for line in project["optional-dependencies"]["dev"]:  # a production lock, from a clean venv
        assert canonicalize_name(Requirement(line).name) not in pins


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("wheel")
    source = work / "src"
    source.mkdir()
    for name in BUILD_INPUTS:
        path = ROOT / name
        if path.is_dir():
            shutil.copytree(path, source / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(path, source / name)
    built = run(
        sys.executable, "-m", "pip", "wheel", source, "--no-deps", "--no-build-isolation", "--no-index",
        "-w", work / "dist",
    )  # fmt: skip
    assert built.returncode == 0, built.stdout + built.stderr
    (found,) = (work / "dist").glob("cra_bot-*.whl")
    return found


@pytest.mark.slow
def test_the_wheel_ships_every_catalog_and_migration(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    catalogs = sorted(ROOT.glob("locales/*/LC_MESSAGES/messages.po"))
    assert {p.parent.parent.name for p in catalogs} >= {"qu", "ay"}
    for path in catalogs:
        assert f"bot/locales/{path.relative_to(ROOT / 'locales').as_posix()}" in names
    for path in ROOT.glob("db/migrations/versions/*.py"):
        assert path.relative_to(ROOT).as_posix() in names
    assert not any(name.startswith(("locales/", "tests/")) for name in names)  # nothing at the top level


@pytest.mark.slow
def test_an_installed_wheel_speaks_quechua_and_aymara(wheel: Path, tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    assert run(sys.executable, "-m", "venv", "--without-pip", venv).returncode == 0
    python = venv / "bin" / "python"
    site = Path(run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])").stdout.strip())
    # Third-party packages from this venv; a path in a .pth is not itself a site dir, so the
    # editable install's own .pth (which would point back at this checkout) is not read.
    (site / "borrowed.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    installed = run(
        sys.executable, "-m", "pip", "--python", python, "install", "--no-deps", "--no-index", wheel
    )
    assert installed.returncode == 0, installed.stdout + installed.stderr

    probe = (
        "import json, bot.i18n as i18n\n"
        "c = i18n.Catalogs()\n"
        "say = lambda code: c.translator(code).render(i18n.msg('Qué puedo hacer aquí'))\n"
        "print(json.dumps({'module': i18n.__file__, 'locales': str(i18n.LOCALES_DIR),\n"
        "    'languages': sorted(c.languages), 'qu': say('qu'), 'ay': say('ay'), 'quz': say('quz')}))\n"
    )
    result = run(python, "-c", probe, cwd=tmp_path)  # cwd: the checkout is not importable from here
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout)
    assert Path(seen["module"]).is_relative_to(venv) and Path(seen["locales"]).is_relative_to(venv)
    assert {"es", "qu", "ay"} <= set(seen["languages"])
    for code in ("qu", "ay"):
        expected = polib.pofile(str(ROOT / f"locales/{code}/LC_MESSAGES/messages.po")).find(
            "Qué puedo hacer aquí"
        )
        assert expected is not None and expected.msgstr
        assert seen[code] == expected.msgstr != "Qué puedo hacer aquí"
    assert seen["quz"] == seen["qu"]  # Cusco-Collao readers get the Southern Quechua catalog

    cli = run(venv / "bin" / "cra-bot", "--help", cwd=tmp_path)
    assert cli.returncode == 0 and "backup" in cli.stdout
