"""One line that says which machine a benchmark ran on: CPU model, cores, int8 dot product."""

from __future__ import annotations

import os
import platform
from pathlib import Path

from retrieval.int8_bert import CpuFeatures


def cpu_model(cpuinfo: Path = Path("/proc/cpuinfo")) -> str:
    """The CPU's model name as the kernel reports it (the platform's name where it cannot)."""
    try:
        for line in cpuinfo.read_text(encoding="utf-8", errors="replace").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def describe() -> str:
    """E.g. 'AMD EPYC, 2 cores, no VNNI (int8 weights: unsigned), python 3.11.7'."""
    cpu = CpuFeatures.detect()
    vnni = {True: "VNNI", False: "no VNNI", None: "VNNI unknown"}[cpu.int8_dot_product]
    return (
        f"{cpu_model()}, {os.cpu_count()} cores, {vnni} (int8 weights: {cpu.weight_format}), "
        f"python {platform.python_version()}"
    )
