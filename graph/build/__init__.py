"""The build stages: load the sources, anchor their quotes, infer, validate, serialise.

Each stage is one module, run in this order by :func:`graph.build.run.build_graph`:
:mod:`~graph.build.load` → :mod:`~graph.build.anchor` and :mod:`~graph.build.provenance` →
:mod:`~graph.build.infer` → :mod:`~graph.build.serialize` → :mod:`~graph.build.validate` →
:mod:`~graph.build.report`. They import only the foundation modules (``graph.errors``,
``graph.namespaces``, ``graph.rdf``, ``graph.files``…), never the store, queries, network,
views or server: the build is the lowest stage, and :mod:`graph.pipeline` is what runs it.
"""
