"""What the end-to-end benches share: the machine they ran on, and appending to bench/RESULTS.md."""

from __future__ import annotations

import os
import platform
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"


def machine(version: str) -> str:
    """Architecture, cores and CPU model, memory, the PostgreSQL version (``SELECT version()``), load."""
    cpu = "unknown CPU"
    memory = "unknown"
    try:
        cpu = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
        kb = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal"))
        memory = f"{kb / 1024 / 1024:.0f} GB"
    except (OSError, StopIteration):
        pass
    return (
        f"{platform.machine()}, {os.cpu_count()} cores ({cpu}), {memory} RAM, {version.split(',')[0]}, "
        f"load average {os.getloadavg()[0]:.1f} when the bench ended"
    )


def append(text: str) -> None:
    """Add ``text`` (a section of Markdown) at the end of bench/RESULTS.md."""
    with open(RESULTS, "a") as results:
        results.write(text)
