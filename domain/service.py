"""What every area's use cases hold: the unit-of-work factory their reads and writes
open, and the clock they stamp them with (tests give a fixed one)."""

from __future__ import annotations

from datetime import datetime
from typing import Callable

from domain.models import utcnow
from domain.ports import UnitOfWorkFactory


class Service:
    def __init__(self, uow: UnitOfWorkFactory, clock: Callable[[], datetime] = utcnow):
        self.uow = uow
        self.clock = clock
