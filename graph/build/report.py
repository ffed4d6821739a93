"""``build/report.md``: what the graph holds, the validation result and provenance coverage."""

from __future__ import annotations

from typing import TYPE_CHECKING

from graph.errors import display_path

if TYPE_CHECKING:
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
    cov = result.coverage
    lines += [
        "",
        "## Provenance coverage",
        "",
        f"- {cov.covered} of {cov.total} asserted instance triples are in a claim with an "
        f"anchored quote or in reference data with a declared source: "
        f"**{cov.percent:.1f}%**",
        f"- {result.claims} claims anchored in their source text",
    ]
    lines += [f"  - {p}" for p in cov.uncovered]
    lines += ["", "## Timings", "", "| phase | seconds |", "|---|---:|"]
    for name, secs in result.seconds.items():
        lines.append(f"| {name} | {secs:.3f} |")
    return "\n".join(lines) + "\n"
