"""Where the machine's CPU went during a measurement, from /proc (Linux).

On a 2-core box the server, PostgreSQL, the load tool and anything else running
share two cores; the scale-out figure cannot be read without knowing how.
"""

from __future__ import annotations

import os
import resource
import time
from pathlib import Path

TICK = os.sysconf("SC_CLK_TCK")


def _processes() -> dict[int, tuple[int, str, int]]:
    """pid → (parent pid, command, CPU ticks used so far)."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        command = stat[stat.index("(") + 1 : stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2 :].split()
        found[int(entry.name)] = (int(fields[1]), command, int(fields[11]) + int(fields[12]))
    return found


def _descendants(root: int, processes: dict[int, tuple[int, str, int]]) -> set[int]:
    family, grew = {root}, True
    while grew:
        grew = False
        for pid, (parent, _, _) in processes.items():
            if parent in family and pid not in family:
                family.add(pid)
                grew = True
    return family


def _busy_ticks() -> int:
    """CPU ticks the whole machine has spent busy (every process, ended ones too)."""
    user, nice, system, _idle, _iowait, irq, softirq, steal = map(int, Path("/proc/stat").read_text().split()[1:9])
    return user + nice + system + irq + softirq + steal


class CpuMeter:
    """``with CpuMeter(server_pid) as m: …`` then ``m.cores``: cores used on average by
    the server (with its workers), PostgreSQL, the load tool (this process's children
    that ended in between: wrk), and everything else on the machine, out of
    ``os.cpu_count()``."""

    def __init__(self, server_pid: int):
        self.server_pid = server_pid
        self.cores: dict[str, float] = {}

    def _split(self) -> dict[str, int]:
        processes = _processes()
        server = _descendants(self.server_pid, processes)
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        split = {"server": 0, "postgres": 0, "load tool": round((children.ru_utime + children.ru_stime) * TICK),
                 "machine": _busy_ticks()}
        for pid, (_, command, ticks) in processes.items():
            if pid in server:
                split["server"] += ticks
            elif command == "postgres":
                split["postgres"] += ticks
        return split

    def __enter__(self) -> "CpuMeter":
        self._start, self._t0 = self._split(), time.monotonic()
        return self

    def __exit__(self, *exc) -> None:
        end, seconds = self._split(), time.monotonic() - self._t0
        used = {k: max(0, end[k] - self._start[k]) / TICK / seconds for k in end}
        # PostgreSQL backends that ended in between are not counted: "other" holds them.
        used["other"] = max(0.0, used.pop("machine") - used["server"] - used["postgres"] - used["load tool"])
        self.cores = {k: round(v, 2) for k, v in used.items()}
