"""Summaries of latency samples and throughput, as the report gives them."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from typing import Any


def percentile(ordered: Sequence[float], fraction: float) -> float:
    """The nearest-rank percentile of already sorted samples."""
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, int(round(fraction * len(ordered) + 0.5)) - 1))
    return ordered[index]


def latency_summary(samples_ms: Sequence[float]) -> dict[str, Any]:
    ordered = sorted(samples_ms)
    return {"runs": len(ordered),
            "p50_ms": round(statistics.median(ordered), 2) if ordered else None,
            "p95_ms": round(percentile(ordered, 0.95), 2) if ordered else None,
            "p99_ms": round(percentile(ordered, 0.99), 2) if ordered else None,
            "min_ms": round(ordered[0], 2) if ordered else None}
