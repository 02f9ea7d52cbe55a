#!/usr/bin/env python3
"""Set up everything and run newsrag; needs only Python 3.11+ (no other tool, no env var).

    python3 dev.py serve   # install into .venv, ingest corpus/, serve the chat page on 127.0.0.1:7860
    python3 dev.py test    # install into .venv (with test extras), run the test suite

Extra arguments go to `newsrag serve` or to pytest. Setup is skipped when pyproject.toml is unchanged.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
PY = VENV / "bin" / "python"
TORCH = "torch==2.13.0"  # before the rest: an unpinned torch pulls a multi-GB CUDA build

QUIET_ENV = {
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "GRADIO_ANALYTICS_ENABLED": "False",
    "ANONYMIZED_TELEMETRY": "False",
    "TOKENIZERS_PARALLELISM": "false",
}


def run(*cmd: str | Path, env: dict[str, str] | None = None) -> None:
    print("+", " ".join(map(str, cmd)), flush=True)
    subprocess.run([str(c) for c in cmd], check=True, cwd=ROOT, env=env)


# Wheels we compile once per machine (llama-cpp-python takes 3 to 11 minutes on 2 cores) and reuse.
# Built for any x86-64 CPU, not this one's: a -march=native build crashed (general protection fault
# in libggml-cpu) once the virtual machine had moved to another host.
WHEELHOUSE = Path.home() / ".cache" / "newsrag" / "wheels-portable"
PORTABLE = {"CMAKE_ARGS": "-DGGML_NATIVE=OFF"}


def compiled_pins(extras: str) -> list[str]:
    """The extra's pinned requirements that have no wheel on PyPI ('llama-cpp-python==0.3.36')."""
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = project.get("optional-dependencies", {}).get(extras, []) if extras else []
    return [re.sub(r"\[.*?\]", "", r) for r in wanted if r.startswith("llama-cpp-python") and "==" in r]


def build_wheels(extras: str) -> None:
    """Compile what the extra pins and PyPI has no wheel for, once, into WHEELHOUSE."""
    for pin in compiled_pins(extras):
        name, version = pin.split("==")
        if any(WHEELHOUSE.glob(f"{name.replace('-', '_')}-{version}-*.whl")):
            continue
        print(f"compiling {pin} once (3 to 11 minutes); the wheel is kept in {WHEELHOUSE}", flush=True)
        run(PY, "-m", "pip", "wheel", "--disable-pip-version-check", "-q", "--no-cache-dir", "--no-deps", "-w", WHEELHOUSE, pin,
            env={**os.environ, **PORTABLE})


def setup(extras: str) -> None:
    stamp = VENV / f".newsrag-{extras or 'base'}"
    want = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if stamp.exists() and stamp.read_text() == want and PY.exists():
        return
    if not PY.exists():
        print(f"creating {VENV}", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    pip = [PY, "-m", "pip", "install", "--disable-pip-version-check", "-q", "--find-links", WHEELHOUSE]
    WHEELHOUSE.mkdir(parents=True, exist_ok=True)
    run(*pip, TORCH)
    build_wheels(extras)
    run(*pip, "-e", f".[{extras}]" if extras else ".")
    stamp.write_text(want)


CHROMIUM = Path("/usr/bin/chromium")  # tests/test_browser.py drives Debian's chromium, never a downloaded one


def ensure_chromium() -> None:
    """Install Debian's chromium for the browser tests when it is missing and we can (root with
    apt-get). A failure is reported and the run goes on: those tests then skip, saying why."""
    if CHROMIUM.exists():
        return
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        print(f"{CHROMIUM} is missing (install the 'chromium' package as root); the browser tests will skip",
              flush=True)
        return
    print(f"{CHROMIUM} is missing: installing Debian's chromium for the browser tests", flush=True)
    try:
        apt_env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        run("apt-get", "update", "-qq", env=apt_env)
        run("apt-get", "install", "-y", "-qq", "chromium", env=apt_env)
    except (subprocess.CalledProcessError, OSError) as exc:
        print(f"installing chromium failed ({exc}); the browser tests will skip", flush=True)
        return
    if not CHROMIUM.exists():
        print(f"apt-get installed chromium but {CHROMIUM} is still missing; the browser tests will skip", flush=True)


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"serve", "test"}:
        print(__doc__)
        return 2
    command, rest = argv[0], argv[1:]
    env = {**os.environ, **QUIET_ENV}
    try:
        if command == "serve":
            setup("")
            run(VENV / "bin" / "newsrag", "serve", "--ingest", ROOT / "corpus", *rest, env=env)
        else:
            setup("test")
            env["HF_HUB_OFFLINE"] = "1"  # tests never reach for a model hub
            ensure_chromium()
            run(PY, "-m", "pytest", *rest, env=env)
    except subprocess.CalledProcessError as exc:
        return exc.returncode or 1
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
