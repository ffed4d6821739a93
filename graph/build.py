"""``cvekg build``: load, anchor quotes, infer, validate, then write every output at once.

Nothing is written until every check passes, and each output is written to a temporary file
in the output folder and renamed into place, so ``build/`` never holds a half-written file.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, SKOS, XSD

from graph import __version__
from graph.anchor import QuoteAmbiguousError, QuoteNotFoundError, SourceText, anchor_quote
from graph.errors import BuildError, display_path
from graph.infer import infer
from graph.load import Corpus, load_corpus, parse_rdf_file
from graph.namespaces import (
    CVEKG,
    INFERRED_GRAPH,
    OA,
    ONTOLOGY_GRAPH,
    PREFIXES,
    PROVENANCE_GRAPH,
    bind_prefixes,
)
from graph.resources import ontology_file, shapes_file, sources_dir
from graph.validate import Coverage, Labeller, lint_problems, shacl_problems

__all__ = ["BuildResult", "build", "OUTPUT_FILES", "is_stale", "atomic_writer", "input_files"]

logger = logging.getLogger(__name__)

#: Files every successful build writes into its output folder.
OUTPUT_FILES = (
    "graph.trig",
    "graph.ttl",
    "graph.jsonld",
    "graph.nt",
    "report.md",
    "build-info.json",
)


@dataclass
class BuildResult:
    """What a build produced and measured."""

    out: Path
    dataset: Dataset
    counts: dict[str, int]
    classes: dict[str, int]
    claims: int
    coverage: Coverage
    shacl: list[str]
    lint: list[str]
    seconds: dict[str, float] = field(default_factory=dict)
    files: list[Path] = field(default_factory=list)

    def summary(self) -> str:
        """The short summary the CLI prints."""
        total = sum(self.counts.values())
        violations = len(self.shacl) + len(self.lint)
        return (
            f"built {total} triples ({self.claims} claims, {self.counts['inferred']} inferred) "
            f"in {sum(self.seconds.values()):.2f} s: {violations} violations, "
            f"{self.coverage.percent:.1f}% of facts sourced -> {display_path(self.out)}/"
        )


@contextmanager
def atomic_writer(path: Path, mode: str = "w") -> Iterator:
    """Write to a temporary file beside ``path``, renamed over it only if writing succeeds."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, mode, **({} if "b" in mode else {"encoding": "utf-8"})) as handle:
            yield handle
        os.chmod(tmp, _file_mode())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def input_files(sources: Path, ontology: Path | None = None) -> list[Path]:
    """Every file a build reads: the ontology folder's Turtle and the sources."""
    ontology = ontology or ontology_file()
    files = [ontology, ontology.parent / "shapes.ttl"]
    files += sorted(p for p in sources.iterdir() if p.suffix in {".trig", ".ttl", ".txt"})
    return [f for f in files if f.is_file()]


def is_stale(out: Path, sources: Path | None = None) -> bool:
    """True when ``out`` lacks a build or any input file is newer than it."""
    info = out / "build-info.json"
    if not all((out / name).is_file() for name in OUTPUT_FILES):
        return True
    built = info.stat().st_mtime
    sources = sources or sources_dir()
    return any(f.stat().st_mtime > built for f in input_files(sources))


def _anchor_all(corpus: Corpus) -> tuple[Graph, list[str], int]:
    """Anchor every quote; return the provenance graph, the problems and the claim count."""
    prov = Graph()
    problems: list[str] = []
    count = 0
    for doc in corpus.documents:
        text = SourceText(doc.text)
        text_name = doc.text_path.name
        prov.add((doc.iri, RDF.type, CVEKG.SourceDocument))
        prov.add((doc.iri, CVEKG.text, Literal(text_name)))
        for claim in doc.claims:
            where = f"{display_path(claim.path)}:{claim.line}:{claim.column}: claim {claim.name}"
            if claim.quote is None:
                continue  # reported by provenance coverage: its triples are unsourced
            try:
                anchor = anchor_quote(text, claim.quote, claim.prefix)
            except QuoteNotFoundError as exc:
                problems.append(
                    f'{where}: quote not found in {text_name}: "{exc.quote}" '
                    f'(closest: "{exc.closest}")'
                )
                continue
            except QuoteAmbiguousError as exc:
                problems.append(f"{where}: {exc} in {text_name}")
                continue
            count += 1
            c = claim.iri
            annotation, target = URIRef(f"{c}#annotation"), URIRef(f"{c}#target")
            quote_sel, position_sel = URIRef(f"{c}#quote"), URIRef(f"{c}#position")
            for triple in (
                (c, RDF.type, CVEKG.Claim),
                (c, CVEKG.source, doc.iri),
                (c, PROV.wasDerivedFrom, doc.iri),
                (c, CVEKG.quote, Literal(claim.quote)),
                (c, CVEKG.sentence, Literal(anchor.sentence)),
                (annotation, RDF.type, OA.Annotation),
                (annotation, OA.motivatedBy, OA.describing),
                (annotation, OA.hasBody, c),
                (annotation, OA.hasTarget, target),
                (target, RDF.type, OA.SpecificResource),
                (target, OA.hasSource, doc.iri),
                (target, OA.hasSelector, quote_sel),
                (target, OA.hasSelector, position_sel),
                (quote_sel, RDF.type, OA.TextQuoteSelector),
                (quote_sel, OA.exact, Literal(anchor.exact)),
                (position_sel, RDF.type, OA.TextPositionSelector),
                (position_sel, OA.start, Literal(anchor.start, datatype=XSD.nonNegativeInteger)),
                (position_sel, OA.end, Literal(anchor.end, datatype=XSD.nonNegativeInteger)),
            ):
                prov.add(triple)
            if not anchor.unique:
                prov.add((quote_sel, OA.prefix, Literal(anchor.prefix)))
                prov.add((quote_sel, OA.suffix, Literal(anchor.suffix)))
            for note in claim.notes:
                prov.add((c, SKOS.editorialNote, Literal(note)))
    return prov, problems, count


def _coverage(corpus: Corpus, anchored: Graph, label: Labeller) -> Coverage:
    cov = Coverage()
    for doc in corpus.documents:
        for claim in doc.claims:
            ok = (claim.iri, CVEKG.sentence, None) in anchored
            cov.total += len(claim.triples)
            cov.covered += len(claim.triples) if ok else 0
            if not ok:
                cov.uncovered.append(
                    f"{display_path(claim.path)}:{claim.line}:{claim.column}: claim {claim.name} "
                    f"has no quote, so its {len(claim.triples)} triples are unsourced"
                )
        for s, p, o in doc.unclaimed:
            cov.total += 1
            cov.uncovered.append(
                f"{display_path(doc.trig_path)}: asserted outside any claim: "
                f"{label(s)} {label.short(p)} {label(o)}"
            )
    for ref in corpus.references:
        facts = [t for t in ref.graph if t[0] != ref.iri]
        cov.total += len(facts)
        if (ref.iri, DCTERMS.source, None) in ref.graph:
            cov.covered += len(facts)
        else:
            cov.uncovered.append(
                f"{display_path(ref.path)}: reference data declares no source "
                f"(<{ref.iri}> dcterms:source <…>), so its {len(facts)} triples are unsourced"
            )
    return cov


def _class_counts(dataset: Dataset) -> dict[str, int]:
    counts: Counter = Counter()
    seen = set()
    for s, _, o, _ in dataset.quads((None, RDF.type, None, None)):
        if isinstance(o, URIRef) and o.startswith(str(CVEKG)) and (s, o) not in seen:
            seen.add((s, o))
            counts[Labeller.short(o)] += 1
    return dict(sorted(counts.items()))


def _file_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def _write_outputs(result: BuildResult, corpus: Corpus) -> list[Path]:
    """Serialise everything to temporary files, then rename them all into place."""
    from graph.report import render_report  # keeps report formatting in one module

    out = result.out
    out.mkdir(parents=True, exist_ok=True)
    ds = result.dataset
    union = Graph()
    bind_prefixes(union)
    for ctx in ds.graphs():
        if ctx.identifier != PROVENANCE_GRAPH:
            union += ctx
    rendered: dict[str, bytes] = {
        "graph.trig": ds.serialize(format="trig").encode("utf-8"),
        "graph.ttl": union.serialize(format="turtle").encode("utf-8"),
        "graph.nt": union.serialize(format="nt").encode("utf-8"),
        "graph.jsonld": ds.serialize(format="json-ld", context=dict(PREFIXES), indent=1).encode(
            "utf-8"
        ),
    }
    rendered["report.md"] = render_report(result, corpus).encode("utf-8")
    info = {
        "cvekg": __version__,
        "built": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "sources": str(corpus.documents[0].trig_path.parent.resolve()),
        "inputs": {
            display_path(p): hashlib.sha256(p.read_bytes()).hexdigest()[:16]
            for p in [
                *(d.trig_path for d in corpus.documents),
                *(d.text_path for d in corpus.documents),
                *(r.path for r in corpus.references),
            ]
        },
        "triples": result.counts,
        "classes": result.classes,
        "claims": result.claims,
        "coverage_percent": round(result.coverage.percent, 2),
        "seconds": {k: round(v, 4) for k, v in result.seconds.items()},
    }
    rendered["build-info.json"] = (json.dumps(info, indent=2) + "\n").encode("utf-8")
    written = []
    tmp_files = []
    try:
        for name, data in rendered.items():
            fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=out)
            tmp_files.append((tmp, out / name))
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.chmod(tmp, _file_mode())
        for tmp, final in tmp_files:
            os.replace(tmp, final)
            written.append(final)
    finally:
        for tmp, _ in tmp_files:
            Path(tmp).unlink(missing_ok=True)
    return written


def build(
    sources: Path | None = None,
    out: Path | None = None,
    ontology: Path | None = None,
    shapes: Path | None = None,
    views: bool = True,
    progress: Callable[[str], None] | None = None,
) -> BuildResult:
    """Build the graph from ``sources`` into ``out``; raise ``BuildError`` on any problem.

    Parameters
    ----------
    sources : folder of ``<doc>.txt`` + ``<doc>.trig`` pairs and reference ``*.ttl`` files
        (default: the shipped ``graph/sources``).
    out : output folder (default ``./build``).
    ontology, shapes : Turtle files (default: the shipped ``ontology/``).
    views : also write the HTML views into ``out/views`` (``graph.views.write_views``, given
        an Oxigraph store of the written graph).
    progress : called with a short line as each phase starts.
    """
    sources = Path(sources) if sources else sources_dir()
    out = Path(out) if out else Path("build")
    ontology = Path(ontology) if ontology else ontology_file()
    shapes = Path(shapes) if shapes else shapes_file()
    say = progress or (lambda line: logger.info(line))
    seconds: dict[str, float] = {}
    started: dict[str, float] = {}

    def phase(name: str) -> None:
        started[name] = time.perf_counter()
        say(f"{name}…")

    def done(name: str) -> None:
        seconds[name] = time.perf_counter() - started[name]

    phase("load")
    corpus = load_corpus(ontology, sources)
    done("load")

    phase("anchor")
    prov, quote_problems, claim_count = _anchor_all(corpus)
    done("anchor")
    if quote_problems:
        raise BuildError(
            f"build failed: {len(quote_problems)} quote(s) could not be anchored", quote_problems
        )

    phase("infer")
    ds = Dataset()
    bind_prefixes(ds)
    ds.graph(ONTOLOGY_GRAPH).__iadd__(corpus.ontology)
    asserted: list[tuple] = []
    for ref in corpus.references:
        g = ds.graph(ref.iri)
        g += ref.graph
        asserted.extend(ref.graph)
    for doc in corpus.documents:
        for claim in doc.claims:
            g = ds.graph(claim.iri)
            g += claim.triples
            asserted.extend(claim.triples)
        for triple in doc.unclaimed:  # kept so the report shows them; coverage fails on them
            asserted.append(triple)
    inferred = infer(corpus.ontology, asserted)
    inferred_graph = ds.graph(INFERRED_GRAPH)
    for triple in inferred:
        inferred_graph.add(triple)
    ds.graph(PROVENANCE_GRAPH).__iadd__(prov)
    done("infer")

    phase("validate")
    label = Labeller(
        corpus.ontology,
        *(r.graph for r in corpus.references),
        *(c.triples for d in corpus.documents for c in d.claims),
    )
    data = Graph()
    for triple in asserted:
        data.add(triple)
    for triple in inferred:
        data.add(triple)
    data += prov
    shacl = shacl_problems(data, parse_rdf_file(shapes, "turtle"), label)
    lint = lint_problems(corpus.ontology, asserted)
    coverage = _coverage(corpus, prov, label)
    done("validate")

    counts = {
        "ontology": len(corpus.ontology),
        "reference": sum(len(r.graph) for r in corpus.references),
        "claims": sum(len(c.triples) for d in corpus.documents for c in d.claims),
        "provenance": len(prov),
        "inferred": len(inferred),
    }
    result = BuildResult(
        out=out,
        dataset=ds,
        counts=counts,
        classes=_class_counts(ds),
        claims=claim_count,
        coverage=coverage,
        shacl=shacl,
        lint=lint,
        seconds=seconds,
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

    phase("write")
    result.files = _write_outputs(result, corpus)
    done("write")

    if views:
        try:
            from graph import views as views_module
        except ImportError:
            views_module = None
        if views_module is not None:
            from graph.sparql import open_store

            phase("views")
            result.files += views_module.write_views(open_store(out), out / "views")
            done("views")
    return result
