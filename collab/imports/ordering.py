"""Rows that name their parent (units, goals) are written parents first.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping


def topological_order(parents: Mapping[Hashable, Hashable | None]) -> tuple[list, dict[Hashable, list]]:
    """Order keys so that a key comes after its parent whenever the parent is itself a key.

    Returns (order, cycles): `cycles` maps every key that cannot be ordered to the loop its parent chain
    runs into (e.g. {"A": ["A", "B", "A"], "C": ["A", "B", "A"]} when A→B→A and C sits under A).
    """
    children: dict[Hashable, list] = {}
    pending = {}
    for key, parent in parents.items():
        if parent is not None and parent in parents:
            children.setdefault(parent, []).append(key)
            pending[key] = 1
        else:
            pending[key] = 0
    order = []
    ready = [key for key, count in pending.items() if count == 0]
    while ready:
        key = ready.pop()
        order.append(key)
        for child in children.get(key, ()):
            pending[child] -= 1
            if pending[child] == 0:
                ready.append(child)
    placed = set(order)
    cycles: dict[Hashable, list] = {}
    for key in parents:
        if key in placed:
            continue
        chain = [key]
        seen = {key}
        current = parents[key]
        while current not in seen:
            chain.append(current)
            seen.add(current)
            current = parents[current]
        start = chain.index(current)
        cycles[key] = [*chain[start:], current]
    return order, cycles
