"""``build/report.md``: what the graph holds, the validation result and provenance coverage."""

from __future__ import annotations

from typing import TYPE_CHECKING

from graph.errors import display_path

if TYPE_CHECKING:
    from graph.build.coverage import Coverage
    from graph.build.load import Corpus
    from graph.build.result import BuildResult

__all__ = ["render_report"]


def render_report(result: BuildResult, corpus: Corpus) -> str:
    """The build report in Markdown."""
    lines = ["# cvekg build report", ""]
    lines += ["## Sources", ""]
    for doc in corpus.documents:
        lines.append(
            f"- `{display_path(doc.text_path)}` with `{doc.trig_path.name}`: "
            f"{len(doc.claims)} claims"
        )
    for ref in corpus.references:
        lines.append(f"- `{display_path(ref.path)}`: reference data, {ref.size} triples")
    lines += ["", "## Triples by named graph", "", "| graph | triples |", "|---|---:|"]
    for name, count in result.counts.items():
        lines.append(f"| {name} | {count} |")
    lines.append(f"| **total** | **{sum(result.counts.values())}** |")
    lines += [
        "",
        "## Instances by class (asserted and inferred)",
        "",
        "| class | instances |",
        "|---|---:|",
    ]
    for cls, count in result.classes.items():
        lines.append(f"| `{cls}` | {count} |")
    violations = len(result.shacl) + len(result.lint)
    lines += [
        "",
        "## Validation",
        "",
        f"- SHACL (`ontology/shapes.ttl`): {len(result.shacl)} violations",
        f"- Ontology lint: {len(result.lint)} problems",
        f"- **{violations} violations**",
    ]
    lines += [*(f"  - {p}" for p in result.shacl + result.lint)]
    lines += [
        f"- {len(result.warnings)} warnings (shapes of what a source usually gives, "
        "`sh:Warning`/`sh:Info`: reported, never a reason to guess)",
        *(f"  - {p}" for p in result.warnings),
    ]
    cov = result.coverage
    lines += [
        "",
        "## Provenance coverage",
        "",
        f"- {cov.covered} of {cov.total} asserted instance triples are in a claim with an "
        f"anchored quote or in reference data a declared value source covers: "
        f"**{cov.percent:.1f}%**",
        f"- {result.claims} claims anchored in their source text: "
        f"{result.support.get('stated', 0)} stated (the words say it), "
        f"{result.support.get('read from context', 0)} read from context (each with a note "
        "saying what was read and why)",
    ]
    lines += [f"  - {p}" for p in cov.uncovered]
    lines += _reference_coverage(cov)
    lines += ["", "## Timings", "", "| phase | seconds |", "|---|---:|"]
    for name, secs in result.seconds.items():
        lines.append(f"| {name} | {secs:.3f} |")
    return "\n".join(lines) + "\n"


def _reference_coverage(cov: Coverage) -> list[str]:
    """Reference triples by declared value source, grouped by kind of source."""
    if not cov.sources and not cov.reference_total:
        return []
    lines = [
        "",
        "### Reference data, triple by triple",
        "",
        f"{cov.reference_covered} of {cov.reference_total} reference triples are covered by a "
        "value source that names the property (and the subject) they state.",
        "",
    ]
    kinds: dict[str, int] = {}
    for src in cov.sources:
        kinds[src.kind or "unstated"] = kinds.get(src.kind or "unstated", 0) + src.triples
    lines += [f"- {kind}: {n} triples" for kind, n in sorted(kinds.items())]
    lines += [
        "",
        "| kind | value source | file | properties | triples |",
        "|---|---|---|---|---:|",
    ]
    for src in sorted(cov.sources, key=lambda s: (s.kind, s.file, s.title)):
        props = ", ".join(f"`{p}`" for p in src.properties)
        title = src.title.replace("|", "\\|")
        lines.append(
            f"| {src.kind or 'unstated'} | {title} | `{src.file}` | {props} | {src.triples} |"
        )
    return lines
