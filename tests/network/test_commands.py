"""The network commands: cvekg path, stats and export."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from graph.cli import main


def test_cli_path_prints_quotes_and_unknown_name_exits_2(built_dir, capsys):
    assert main(["path", "Nice", "Boston", "--out", str(built_dir)]) == 0
    assert "worked with survivors" in capsys.readouterr().out
    assert main(["path", "Nice", "Bostn", "--out", str(built_dir)]) == 2
    assert "did you mean Boston" in capsys.readouterr().err


def test_cli_stats_and_export(built_dir, tmp_path, capsys):
    assert main(["stats", "--out", str(built_dir)]) == 0
    assert "Brokers of France-US ties" in capsys.readouterr().out
    target = tmp_path / "n.gexf"
    assert main(["export", "--format", "gexf", "-o", str(target), "--out", str(built_dir)]) == 0
    assert target.stat().st_size > 0


def test_cli_path_with_no_chain_exits_1_in_text_and_json(built_dir, capsys):
    # al-Qaeda is named in the source, but no quoted relation reaches it.
    assert main(["path", "Nice", "al-Qaeda", "--out", str(built_dir)]) == 1
    assert "no chain of quoted relations" in capsys.readouterr().out
    assert main(["path", "Nice", "al-Qaeda", "--json", "--out", str(built_dir)]) == 1
    assert json.loads(capsys.readouterr().out) == []


def test_cli_stats_into_a_closed_pipe_ends_quietly(built_dir):
    done = subprocess.run(
        f"{sys.executable} -m graph.cli stats --out {built_dir} | head -c 0",
        shell=True,
        capture_output=True,
        text=True,
    )
    assert "Traceback" not in done.stderr and "BrokenPipe" not in done.stderr


def test_cli_path_from_an_entity_to_itself_says_so(built_dir, capsys):
    assert main(["path", "Nice", "nice", "--out", str(built_dir)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "'Nice' and 'nice' both name Nice (city:nice, French city)" in captured.err
    with pytest.raises(SystemExit) as refused:  # argparse checks -k, as every numeric option
        main(["path", "Nice", "Boston", "-k", "0", "--out", str(built_dir)])
    assert refused.value.code == 2
    assert "-k: '0' is not a whole number of 1 or more" in capsys.readouterr().err


def test_commands_on_a_missing_build_build_the_graph_but_not_the_views(tmp_path, capsys):
    out = tmp_path / "build"
    assert main(["stats", "-k", "1", "--out", str(out)]) == 0
    assert "Brokers of France-US ties" in capsys.readouterr().out
    assert (out / "graph.trig").is_file()
    assert not (out / "views").exists()
