"""SN: scale and normalization (cause 2, features never brought to one scale)."""

from __future__ import annotations

from preflight.checks.base import Check
from preflight.checks.sn.categorical_encoding import CategoricalEncoding
from preflight.checks.sn.dates_as_numbers import DatesAsNumbers
from preflight.checks.sn.discrete_columns import DiscreteColumns
from preflight.checks.sn.orders_of_magnitude import OrdersOfMagnitude
from preflight.checks.sn.output_layer import OutputLayer
from preflight.checks.sn.scale_mismatch import ScaleMismatch
from preflight.checks.sn.skewed import Skewed
from preflight.checks.sn.target_scale import TargetScale
from preflight.checks.sn.uncentred import Uncentred

CHECKS: tuple[type[Check], ...] = (
    ScaleMismatch,
    Uncentred,
    Skewed,
    OrdersOfMagnitude,
    DiscreteColumns,
    CategoricalEncoding,
    TargetScale,
    OutputLayer,
    DatesAsNumbers,
)
