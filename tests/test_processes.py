"""Processes, threads and process-wide settings: decided by the command line's entry point, never by a library call."""

import os

import pytest

from dti_cli.io import processes


@pytest.mark.parametrize("env,expected", [("1", 1), ("2", 2), ("0", 1), ("many", 1)])
def test_workers_from_the_environment(monkeypatch, env, expected):
    monkeypatch.setenv("DTI_WORKERS", env)
    assert processes.auto_workers() == expected


def test_workers_by_default(monkeypatch):
    monkeypatch.delenv("DTI_WORKERS", raising=False)
    assert processes.auto_workers() == (2 if hasattr(os, "fork") and (os.cpu_count() or 1) > 1 else 1)


def test_thread_map_keeps_the_order_with_two_threads():
    assert processes.thread_map(lambda x: x * x, list(range(10)), 2_000_000) == [x * x for x in range(10)]
    assert processes.thread_map(lambda x: -x, [1, 2], 10) == [-1, -2]


def test_the_entry_point_tunes_the_process_for_a_large_file_only(tmp_path, monkeypatch):
    from dti_cli import cli

    calls = []
    monkeypatch.setattr(processes, "keep_freed_memory", lambda: calls.append(1))
    monkeypatch.delenv("OPENBLAS_NUM_THREADS", raising=False)
    small, large = tmp_path / "s.csv", tmp_path / "l.csv"
    small.write_text("year,unit,a\n")
    with open(large, "wb") as fh:
        fh.truncate(16_000_000)
    cli._tune(["rank", "--data", str(small)])
    assert calls == [] and os.environ["OPENBLAS_NUM_THREADS"] == "1"
    cli._tune(["rank", f"--data={large}"])
    cli._tune(["rank", "--data", "-"])
    cli._tune(["rank", "--data", str(tmp_path / "missing.csv")])
    assert calls == [1]


def test_keep_freed_memory_runs_once(monkeypatch):
    monkeypatch.setattr(processes, "_TUNED", False)
    processes.keep_freed_memory()  # on glibc: three mallopt calls; elsewhere nothing
    assert processes._TUNED
    processes.keep_freed_memory()
