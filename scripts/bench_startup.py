"""Benchmark: start-up time of ``mtcompare --help`` and ``import compare``.

Each command runs in a fresh process, several times, interleaved with a bare ``python -c pass`` (the
interpreter's own start-up, for comparison); the table shows the median wall time and the median CPU
time (user + system) of the child, which another load on the machine disturbs less. Bytecode is
written and one untimed round runs first, as on a user's machine after the first call (a
``PYTHONDONTWRITEBYTECODE`` in the environment is dropped for the children). Below the table:
``python -X importtime``'s slowest imports (cumulative) for ``mtcompare --help``, and the time taken
by the command modules that ``compare/cli.py`` discovers in ``compare/commands/`` at start-up.

    .venv/bin/python scripts/bench_startup.py [--repeat 7] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from _machine import machine  # noqa: E402  (scripts/_machine.py, beside this script)

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def commands(code_root: Path | None) -> dict[str, list[str]]:
    """The commands timed, by name (mtcompare's console script, or the same entry point by -c)."""
    script = BIN / "mtcompare"
    cli = [str(script), "--help"] if script.exists() and code_root is None else None
    return {
        "python -c pass": [sys.executable, "-c", "pass"],
        "python -c 'import compare'": [sys.executable, "-c", "import compare"],
        "mtcompare --help": cli or [sys.executable, "-c", "from compare.cli import main; main()", "--help"],
    }


def environment(code_root: Path | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    if code_root is not None:
        env["PYTHONPATH"] = str(code_root) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def run(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU (user + system) seconds of one fresh process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(argv, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def importtime(argv: list[str], env: dict[str, str]) -> list[tuple[str, float, float]]:
    """``(module, self s, cumulative s)`` of every import of one run of ``argv`` under ``-X importtime``."""
    if Path(argv[0]).name == "mtcompare":  # the console script is a Python file: run it with -X importtime
        argv = [sys.executable, "-c", "from compare.cli import main; main()", *argv[1:]]
    out = subprocess.run([argv[0], "-X", "importtime", *argv[1:]], env=env, capture_output=True, text=True, check=True)
    rows = []
    for line in out.stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        own, cumulative, name = line[len("import time:") :].split("|")
        rows.append((name.rstrip(), int(own) / 1e6, int(cumulative) / 1e6))
    return rows


_DISCOVERY = """
import importlib, json, time
spent = {}
plain = importlib.import_module
def timed(name, *args):
    started = time.perf_counter()
    module = plain(name, *args)
    spent.setdefault(name, time.perf_counter() - started)
    return module
importlib.import_module = timed
import compare.cli
print(json.dumps({k: v for k, v in spent.items() if k.startswith("compare.commands.")}))
"""


def discovery(env: dict[str, str], repeat: int) -> dict[str, float]:
    """Seconds spent importing each command module that ``compare.cli`` finds at start-up
    (``importlib.import_module`` timed around each; the median of ``repeat`` fresh processes)."""
    runs = []
    for _ in range(repeat):
        out = subprocess.run([sys.executable, "-c", _DISCOVERY], env=env, capture_output=True, text=True, check=True)
        runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
    return {name: statistics.median(r.get(name, 0.0) for r in runs) for name in runs[0]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7, help="timed runs of each command (default 7)")
    parser.add_argument("--top", type=int, default=12, help="slowest imports listed (default 12)")
    parser.add_argument("--json", type=Path, help="write the measurements here")
    parser.add_argument("--code-root", type=Path, help="import compare from this checkout")
    args = parser.parse_args()
    env = environment(args.code_root)
    cmds = commands(args.code_root)
    for argv in cmds.values():  # untimed: writes the bytecode caches
        run(argv, env)
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in cmds}
    for _ in range(args.repeat):  # interleaved, so that a busy moment of the machine hits all
        for name, argv in cmds.items():
            times[name].append(run(argv, env))
    medians = {
        name: {"wall_s": statistics.median(w for w, _ in t), "cpu_s": statistics.median(c for _, c in t)}
        for name, t in times.items()
    }
    print(f"start-up, median of {args.repeat} fresh processes; {machine()}")
    print(f"{'':30} {'wall s':>7} {'CPU s':>7} {'CPU - python':>13}")
    bare = medians["python -c pass"]["cpu_s"]
    for name, m in medians.items():
        print(f"{name:30} {m['wall_s']:7.3f} {m['cpu_s']:7.3f} {m['cpu_s'] - bare:13.3f}")

    rows = importtime(cmds["mtcompare --help"], env)
    print("\nslowest imports of mtcompare --help (python -X importtime, one run, cumulative s):")
    top = sorted(rows, key=lambda r: r[2], reverse=True)[: args.top]
    for name, own, cumulative in top:
        print(f"  {name:52} {cumulative:7.3f}  (self {own:.3f})")
    found = discovery(env, args.repeat)
    discovered = sum(found.values())
    each = ", ".join(f"{n.rsplit('.', 1)[1]} {c:.3f}" for n, c in found.items()) or "none"
    print(
        f"command modules that compare/cli.py discovers in compare/commands/ and imports at start-up (median): "
        f"{len(found)}, {discovered:.3f} s ({each})"
    )
    if args.json:
        payload: dict[str, Any] = {
            "benchmark": "start-up",
            "repeat": args.repeat,
            "machine": machine(),
            "commands": {name: " ".join(argv) for name, argv in cmds.items()},
            "median": medians,
            "runs": {name: [{"wall_s": w, "cpu_s": c} for w, c in t] for name, t in times.items()},
            "importtime_top": [{"module": n.strip(), "self_s": o, "cumulative_s": c} for n, o, c in top],
            "commands_discovered_s": found,
        }
        args.json.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
        print(f"written {args.json}")


if __name__ == "__main__":
    main()
