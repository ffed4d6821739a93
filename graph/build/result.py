"""What a build produced and measured: :class:`BuildResult`, read by the report and the CLI."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from graph.build.coverage import Coverage
from graph.errors import display_path

if TYPE_CHECKING:
    from rdflib import Dataset

__all__ = ["BuildResult"]


@dataclass
class BuildResult:
    """What a build produced and measured.

    ``store`` is the Oxigraph store of the written graph (what views and queries use);
    :attr:`dataset` gives the same graph through the rdflib API. ``info`` is the record the
    build leaves in ``build-info.json`` (inputs and their hashes, counts), which
    :mod:`graph.pipeline` completes with the hash of every output when it publishes.
    """

    out: Path
    counts: dict[str, int]
    classes: dict[str, int]
    claims: int
    coverage: Coverage
    shacl: list[str]
    lint: list[str]
    #: Results of shapes marked ``sh:Warning`` or ``sh:Info``: reported, never a failure.
    warnings: list[str] = field(default_factory=list)
    #: Claims by how they stand to their quote (``stated``, ``read from context``).
    support: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    files: list[Path] = field(default_factory=list)
    store: ox.Store | None = field(default=None, repr=False)
    typed: list[str] = field(default_factory=list, repr=False)
    info: dict[str, Any] = field(default_factory=dict, repr=False)
    _dataset: Dataset | None = field(default=None, repr=False)

    @property
    def dataset(self) -> Dataset:
        """The built graph as an in-memory rdflib ``Dataset``, made on first use.

        Literals are as the sources typed them (the store keeps some in canonical form: see
        :func:`graph.rdf.protect_literals`). Copying into rdflib takes minutes for millions
        of triples: large builds should use :attr:`store`.
        """
        if self._dataset is None:
            from graph.build.serialize import rdflib_copy

            self._dataset = rdflib_copy(self.store, self.typed)
        return self._dataset

    def summary(self) -> str:
        """The short summary the CLI prints."""
        total = sum(self.counts.values())
        violations = len(self.shacl) + len(self.lint)
        read = self.support.get("read from context", 0)
        n = len(self.warnings)
        warned = f", {n} warning{'' if n == 1 else 's'}" if n else ""
        return (
            f"built {total} triples ({self.claims} claims, {read} read from context; "
            f"{self.counts['inferred']} inferred) in {sum(self.seconds.values()):.2f} s: "
            f"{violations} violations{warned}, {self.coverage.percent:.1f}% of facts sourced "
            f"-> {display_path(self.out)}/"
        )
