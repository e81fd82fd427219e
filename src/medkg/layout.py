"""Where each node of the explorer goes: computed in Python, so the page needs no physics.

Up to :data:`SPRING_LAYOUT_LIMIT` nodes a seeded spring layout (quadratic, readable) with a
pass that pushes nodes apart until their labels no longer overlap; above it a linear layout
with one cluster per kind, so a large page stays usable.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from typing import Any

__all__ = [
    "LABEL_WIDTH",
    "SPRING_LAYOUT_LIMIT",
    "kind_cluster_positions",
    "layout",
    "node_size",
    "spring_positions",
]

#: Networks up to this many nodes get a spring layout (quadratic, but readable); larger ones
#: get the linear layout by kind, so generation time grows linearly with the network.
SPRING_LAYOUT_LIMIT = 300

#: The seed of the spring layout: the same graph always gives the same picture.
LAYOUT_SEED = 7


def layout(network: Any) -> dict[str, tuple[float, float]]:
    """Give every node a position in page pixels.

    :param network: the network to lay out.
    :returns: ``{node: (x, y)}``; a spring layout up to :data:`SPRING_LAYOUT_LIMIT` nodes,
        else the linear layout by kind.
    """
    if network.number_of_nodes() <= SPRING_LAYOUT_LIMIT:
        return spring_positions(network)
    return kind_cluster_positions(network)


def spring_positions(network: Any) -> dict[str, tuple[float, float]]:
    """Lay out connected nodes with a seeded spring layout, isolated nodes in rows below.

    The spring layout is made compact, then nodes are pushed apart until no two labels
    overlap (see :func:`_separate`), so the picture is as small as it can be while staying
    readable, and fits the browser window at a readable zoom.

    :param network: the network (small: both steps are quadratic).
    :returns: ``{node: (x, y)}`` in page pixels.
    """
    import networkx as nx

    simple = nx.Graph()
    simple.add_edges_from((u, v) for u, v in network.edges() if u != v)
    positions: dict[str, tuple[float, float]] = {}
    bottom = 0.0
    if simple.number_of_nodes():
        raw = nx.spring_layout(simple, seed=LAYOUT_SEED, iterations=200)
        order = list(raw)
        boxes = [
            _label_box(str(network.nodes[n].get("label", n)), node_size(network.degree(n)))
            for n in order
        ]
        # Spread the layout over about twice the area its labels need, wider than high like
        # a browser window beside the side panel; _separate then fixes local crowding.
        half = math.sqrt(2.0 * sum(w * h for w, h in boxes)) / 2.0
        start = [(raw[n][0] * half * 1.15, raw[n][1] * half * 0.85) for n in order]
        placed = _separate(start, boxes)
        positions = dict(zip(order, placed, strict=True))
        bottom = max(y for _, y in placed)
    isolated = [node for node in network.nodes if node not in positions]
    width = 2 * max((abs(x) for x, _ in positions.values()), default=0.0)
    positions.update(_rows_below(isolated, top=bottom + 90.0, width=width))
    return positions


#: The widest a node label gets before it wraps (the page sets vis' widthConstraint to it).
LABEL_WIDTH = 150.0
#: Rough width of one character and height of one line of a node label, in page pixels.
CHAR_WIDTH, LINE_HEIGHT = 7.8, 18.0


def node_size(degree: int) -> float:
    """Return the radius a node is drawn with: hubs are bigger, up to 30 px."""
    return round(min(11.0 + 2.2 * math.sqrt(degree), 30.0), 1)


def _label_box(label: str, size: float) -> tuple[float, float]:
    """Estimate the width and height that a node and its (wrapped) label below it take up."""
    width = len(label) * CHAR_WIDTH
    lines = max(1, math.ceil(width / LABEL_WIDTH))
    return max(min(width, LABEL_WIDTH), 2 * size) + 14.0, 2 * size + 12.0 + lines * LINE_HEIGHT


def _separate(
    start: Sequence[tuple[float, float]], boxes: Sequence[tuple[float, float]]
) -> list[tuple[float, float]]:
    """Push overlapping nodes apart until no two boxes overlap.

    Each pair closer than its boxes allow is pushed apart along the line between the two
    centres, so the layout keeps its shape and grows only where it is crowded. Distances are
    measured in units of the pair's box size, so wide labels are pushed apart sideways more.

    :param start: box centres.
    :param boxes: ``(width, height)`` of each box.
    :returns: the moved centres, after at most 500 rounds.
    """
    import numpy as np

    xy = np.array(start, dtype=float)
    size = np.array(boxes, dtype=float)
    # Break exact ties (same position) deterministically, so every pair has a direction.
    xy += np.random.default_rng(LAYOUT_SEED).normal(scale=0.5, size=xy.shape)
    reach = (size[:, None, :] + size[None, :, :]) / 2.0
    for _ in range(500):
        delta = xy[:, None, :] - xy[None, :, :]
        # An ellipse around each box: distance < 1 means the two labels overlap.
        distance = np.sqrt(((delta / reach) ** 2).sum(axis=2))
        np.fill_diagonal(distance, 1e9)  # a node never clashes with itself
        if not (distance < 1.0).any():
            break
        # Aim 10 % beyond touching, and move each node of a pair half the way: without the
        # margin, a crowd jams in a state where the pushes from all sides cancel out.
        factor = np.where(distance < 1.1, (1.1 - distance) / np.maximum(distance, 1e-6), 0.0)
        xy += (delta * factor[..., None]).sum(axis=1) * 0.5
    return [(float(x), float(y)) for x, y in xy]


def _rows_below(
    nodes: Sequence[str], *, top: float, width: float
) -> dict[str, tuple[float, float]]:
    """Place *nodes* in centred rows as wide as *width*, starting at height *top*."""
    gap_x, gap_y = LABEL_WIDTH + 20.0, 110.0
    per_row = max(4, int(width // gap_x) + 1)
    placed = {}
    for index, node in enumerate(nodes):
        row, column = divmod(index, per_row)
        in_row = min(per_row, len(nodes) - row * per_row)
        placed[node] = ((column - (in_row - 1) / 2) * gap_x, top + row * gap_y)
    return placed


def kind_cluster_positions(network: Any) -> dict[str, tuple[float, float]]:
    """Lay out a large network in linear time: one sunflower disc per kind, discs on a circle.

    Within a disc the best-connected nodes sit at the centre. No forces are computed, so
    10,000 nodes take milliseconds; the picture shows the kinds and their sizes at a glance,
    and zooming in reads the labels.

    :param network: the network.
    :returns: ``{node: (x, y)}`` in page pixels.
    """
    groups: dict[str, list[str]] = {}
    for node, data in network.nodes(data=True):
        groups.setdefault(data.get("kind", "medkg:Entity"), []).append(node)
    spacing = 60.0
    radii = {kind: spacing * math.sqrt(len(nodes)) + spacing for kind, nodes in groups.items()}
    ring = sum(radii.values()) / math.pi if len(groups) > 1 else 0.0
    positions: dict[str, tuple[float, float]] = {}
    angle = 0.0
    for kind in sorted(groups, key=lambda k: (-len(groups[k]), k)):
        step = radii[kind] / ring if ring else 0.0
        angle += step
        cx, cy = ring * math.cos(angle), ring * math.sin(angle)
        angle += step
        members = sorted(groups[kind], key=lambda n: -network.degree(n))
        positions.update(_sunflower(members, cx, cy, spacing))
    return positions


def _sunflower(
    nodes: Sequence[str], cx: float, cy: float, spacing: float
) -> Iterator[tuple[str, tuple[float, float]]]:
    """Yield positions on a Vogel spiral around (cx, cy): evenly spread, first node central."""
    golden_angle = math.pi * (3 - math.sqrt(5))
    for index, node in enumerate(nodes):
        radius = spacing * math.sqrt(index + 0.5)
        theta = index * golden_angle
        yield node, (cx + radius * math.cos(theta), cy + radius * math.sin(theta))
