"""The build stages in order: load, anchor quotes, infer, serialise, validate, report.

:func:`build_graph` runs them into a folder that :mod:`graph.pipeline` staged for it, and
returns what was built and measured; the pipeline adds the views and publishes the folder as
one unit. The graph files are serialised before validation (so serialising streams from the
store before the provenance graph joins it): a failed build removes them, and since the
folder is a staging folder, nothing a user reads is touched either way.

Every graph lives in one in-memory Oxigraph store: sources are parsed into it, rules and
shapes run as SPARQL over it, and the outputs are serialised from it, so the build stays in
native code for the work that grows with the data.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox
from rdflib import URIRef
from rdflib.namespace import SH

from graph import __version__
from graph.build.coverage import provenance_coverage
from graph.build.infer import Rules, infer_store
from graph.build.inputs import OUTPUT_FILES, check_out, input_files
from graph.build.load import Corpus, load_corpus, parse_rdf_file
from graph.build.provenance import ProvenanceInference, ProvenanceWriter, anchor_corpus
from graph.build.report import render_report
from graph.build.result import BuildResult
from graph.build.serialize import ontology_quads, write_graph_files
from graph.build.validate import (
    Labeller,
    lint_problems,
    shacl_problems_in_store,
    support_counts,
    support_problems,
)
from graph.errors import BuildError, display_path
from graph.namespaces import (
    CVEKG,
    GRAPH,
    INFERRED_GRAPH,
    ONTOLOGY_GRAPH,
    PROVENANCE_GRAPH,
    compact,
)
from graph.progress import Phases, Progress
from graph.rdf import graph_size, nt_term
from graph.resources import ontology_file, shapes_file, sources_dir

__all__ = ["BuildResult", "build_graph", "check_out", "input_files", "OUTPUT_FILES"]

logger = logging.getLogger(__name__)

#: Triples stated in a ``.trig`` file outside any claim: kept aside so rules and shapes see
#: them as before, never written (provenance coverage fails the build when there are any).
UNCLAIMED_GRAPH = GRAPH["unclaimed"]


# --- validate ---------------------------------------------------------------------------------


def _class_counts(store: ox.Store) -> dict[str, int]:
    """Instances per class of our ontology, asserted or inferred."""
    query = (
        "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c "
        f'FILTER(STRSTARTS(STR(?c), "{CVEKG}")) }} GROUP BY ?c'
    )
    counts = {
        Labeller.short(URIRef(row[0].value)): int(row[1].value)
        for row in store.query(query, use_default_graph_as_union=True)
    }
    return dict(sorted(counts.items()))


def _record(corpus: Corpus, shapes: Path, result: BuildResult) -> dict:
    """What ``build-info.json`` says of the build: its inputs (with hashes) and counts."""
    return {
        "cvekg": __version__,
        "built": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "sources": str(corpus.documents[0].trig_path.parent.resolve()),
        "inputs": {
            display_path(p): hashlib.sha256(p.read_bytes()).hexdigest()[:16]
            for p in [
                corpus.ontology_path,
                shapes,
                *(d.trig_path for d in corpus.documents),
                *(d.text_path for d in corpus.documents),
                *(r.path for r in corpus.references),
            ]
        },
        "triples": result.counts,
        "classes": result.classes,
        "claims": result.claims,
        "claims_by_support": result.support,
        "warnings": len(result.warnings),
        "coverage_percent": round(result.coverage.percent, 2),
    }


def build_graph(
    sources: Path | None = None,
    folder: Path | None = None,
    ontology: Path | None = None,
    shapes: Path | None = None,
    progress: Callable[[str], None] | Progress | Phases | None = None,
    on_nquads: Callable[[Path], object] | None = None,
) -> BuildResult:
    """Build the graph from ``sources`` into ``folder``; raise ``BuildError`` on any problem.

    Parameters
    ----------
    sources : folder of ``<doc>.txt`` + ``<doc>.trig`` pairs and reference ``*.ttl`` files
        (default: the shipped ``graph/sources``).
    folder : where the graph files and ``report.md`` are written, in place: a new folder,
        staged by :func:`graph.pipeline.build`, which publishes it (default ``./build``).
    ontology, shapes : Turtle files (default: the shipped ``ontology/``).
    progress : a :class:`graph.progress.Progress` (phases and how far each got), a callable
        given a short line as each phase starts, or the pipeline's :class:`Phases`.
    on_nquads : called with ``folder`` as soon as ``graph.nq`` is written (from a writer
        thread, while the other graph files may still be written), before the graph is
        validated: the pipeline starts loading its on-disk store from that file then, in
        native code beside the rest of the build (a failed build's folder is removed whole).
    """
    sources = Path(sources) if sources else sources_dir()
    out = Path(folder) if folder else Path("build")
    ontology = Path(ontology) if ontology else ontology_file()
    shapes = Path(shapes) if shapes else shapes_file()
    check_out(out, sources)
    phases = progress if isinstance(progress, Phases) else Phases(progress)
    out.mkdir(parents=True, exist_ok=True)

    phases.start("load")
    corpus = load_corpus(ontology, sources, progress=phases.advance)
    store = corpus.store
    phases.done("load")

    # The provenance text lies beside the outputs: a staging folder is removed whole.
    workdir = Path(tempfile.mkdtemp(prefix=".work-", dir=out))
    written: list[Path] = []
    try:
        provenance_path = workdir / "provenance.ttl"
        provenance_jsonld = workdir / "provenance.jsonld"
        provenance_inferred = workdir / "provenance-inferred.nt"
        phases.start("anchor")
        rules = Rules(corpus.ontology)
        with (
            provenance_path.open("w", encoding="utf-8") as turtle,
            provenance_jsonld.open("w", encoding="utf-8") as jsonld,
            provenance_inferred.open("w", encoding="utf-8") as inferred,
        ):
            writer = ProvenanceWriter(turtle, jsonld, inferred, ProvenanceInference(rules, workdir))
            anchored, quote_problems = anchor_corpus(corpus, writer, phases.advance)
        phases.done("anchor")
        if quote_problems:
            raise BuildError(
                f"build failed: {len(quote_problems)} quote(s) could not be anchored",
                quote_problems,
            )

        phases.start("infer")
        unclaimed = [t for doc in corpus.documents for t in doc.unclaimed]
        if unclaimed:  # kept so rules and shapes see them; coverage fails on them
            store.load(
                "".join(f"{nt_term(s)} {nt_term(p)} {nt_term(o)} .\n" for s, p, o in unclaimed),
                ox.RdfFormat.N_TRIPLES,
                to_graph=ox.NamedNode(str(UNCLAIMED_GRAPH)),
            )
        infer_store(store, rules, str(INFERRED_GRAPH), workdir=workdir)
        # What the rules add to the provenance graph (which joins the store only later):
        # after the rules ran, which would take a claimSupported back to its source.
        store.load(
            path=str(provenance_inferred),
            format=ox.RdfFormat.N_TRIPLES,
            to_graph=ox.NamedNode(str(INFERRED_GRAPH)),
        )
        inferred_count = graph_size(store, str(INFERRED_GRAPH))
        phases.done("infer")

        phases.start("write")

        def file_written(path: Path) -> None:
            if path.name == "graph.nq" and on_nquads is not None:
                on_nquads(out)

        written = write_graph_files(
            store,
            out,
            corpus.typed,
            (provenance_path, provenance_jsonld),
            ontology,
            on_written=file_written,
        )
        phases.done("write")

        phases.start("validate")
        store.load(
            path=str(provenance_path),
            format=ox.RdfFormat.TURTLE,
            to_graph=ox.NamedNode(str(PROVENANCE_GRAPH)),
            lenient=True,
        )
        label = Labeller(corpus.ontology, store=store)
        shape_graph = parse_rdf_file(shapes, "turtle")
        shacl = shacl_problems_in_store(store, shape_graph, label, corpus.typed)
        warnings = [
            f"{compact(str(severity))}: {p}"
            for severity in (SH.Warning, SH.Info)
            for p in shacl_problems_in_store(store, shape_graph, label, corpus.typed, severity)
        ]
        lint = lint_problems(corpus.ontology, used=corpus.used) + support_problems(corpus)
        coverage = provenance_coverage(corpus, anchored, label)
        counts = {
            "ontology": len(corpus.ontology),
            "reference": sum(r.size for r in corpus.references),
            "claims": sum(c.size for d in corpus.documents for c in d.claims),
            "provenance": graph_size(store, str(PROVENANCE_GRAPH)),
            "inferred": inferred_count,
        }
        classes = _class_counts(store)
        phases.done("validate")

        result = BuildResult(
            out=out,
            counts=counts,
            classes=classes,
            claims=len(anchored),
            coverage=coverage,
            shacl=shacl,
            lint=lint,
            warnings=warnings,
            support=support_counts(corpus),
            seconds=phases.seconds,
            store=store,
            typed=corpus.typed,
        )
        problems = (
            [f"SHACL: {p}" for p in shacl]
            + [f"lint: {p}" for p in lint]
            + [f"provenance: {p}" for p in coverage.uncovered]
        )
        if problems:
            raise BuildError(
                f"build failed: {len(shacl)} SHACL violation(s), {len(lint)} lint problem(s), "
                f"provenance coverage {coverage.percent:.1f}%; nothing was written",
                problems,
            )
        report = out / "report.md"
        written.append(report)
        report.write_text(render_report(result, corpus), encoding="utf-8")
        result.info = _record(corpus, shapes, result)
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        raise
    finally:
        shutil.rmtree(workdir, ignore_errors=True)

    result.files = written
    del corpus, anchored  # claims and quotes: the views get the store, which has them all
    # The store becomes the whole written graph, for the views and for callers.
    store.extend(ontology_quads(ontology, ox.NamedNode(str(ONTOLOGY_GRAPH))))
    return result
