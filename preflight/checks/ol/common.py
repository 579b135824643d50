"""What the outlier checks share in their judgement."""

from __future__ import annotations

import numpy as np


def row_cap(n: int, max_share: float, min_cap: int) -> int:
    """How many rows one finding may flag: a share of the rows, with a floor."""
    return max(int(min_cap), int(np.ceil(max_share * n)))
