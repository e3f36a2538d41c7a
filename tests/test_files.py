import os
import stat

import pytest

from dti_cli.errors import UsageError
from dti_cli.io.files import atomic_path, write_atomic


def test_replaces_only_on_success(tmp_path):
    target = tmp_path / "out.txt"
    target.write_text("old")
    with pytest.raises(RuntimeError):
        with atomic_path(target) as tmp:
            tmp.write_text("half")
            raise RuntimeError("boom")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]
    write_atomic(target, "new")
    assert target.read_text() == "new"


def test_permissions_follow_umask(tmp_path):
    old = os.umask(0o022)
    try:
        write_atomic(tmp_path / "chart.svg", "<svg/>")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "chart.svg").stat().st_mode) == 0o644


def test_missing_directory(tmp_path):
    with pytest.raises(UsageError, match="no such directory"):
        write_atomic(tmp_path / "nope" / "x.txt", "x")
