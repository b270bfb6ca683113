"""The queue bench's settings, its isolated services' environment and its statistics."""

from __future__ import annotations

import socket
import sys
from pathlib import Path

from bench.common import server_url

DAPHNE = str(Path(sys.executable).parent / "daphne")
BENCH_DB = "intake_bench_queue"
BROKER_DB, CHANNELS_DB = 6, 7  # dev 0/1, tests 10/11, bench_pipeline 12/13
HOST = "127.0.0.1"
NURSE = "bench_nurse"

REQUEST_TIMEOUT_S = 120.0  # long: an open loop past saturation queues for a while
ROW_MARK = b'<tr id="visit-'


# --- isolated services -------------------------------------------------------------------------


def bench_environment(base_url: str, redis_url: str) -> dict[str, str]:
    """For this process (set before Django starts) and for daphne."""
    return {
        "DJANGO_SETTINGS_MODULE": "intake.settings",
        "DATABASE_URL": server_url(base_url, BENCH_DB),
        "REDIS_URL": redis_url,
        "REDIS_BROKER_DB": str(BROKER_DB),
        "REDIS_CHANNELS_DB": str(CHANNELS_DB),
        "HTTPS_PORT": "0",
        "INTAKE_ENV": "dev",
        "DEBUG": "0",  # what production runs (DEBUG also records every query in memory)
        "LOG_LEVEL": "WARNING",
    }


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


# --- statistics --------------------------------------------------------------------------------


def percentile(values: list[float], p: float) -> float:
    """Linear interpolation between the nearest ranks (numpy's default)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = (len(ordered) - 1) * p / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def ms(seconds: float) -> str:
    return "-" if seconds != seconds else f"{1000 * seconds:.1f}"  # NaN -> "-"
