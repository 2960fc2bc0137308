"""The what-if's one helper over engine inputs: any input as a DataFrame with at least some columns."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd


def frame(data: Any, columns: Sequence[str]) -> pd.DataFrame:
    if data is None:
        return pd.DataFrame({c: [] for c in columns})
    frame = data if isinstance(data, pd.DataFrame) else pd.DataFrame(data)
    return frame.reset_index(drop=True)
