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


def test_a_symlink_is_followed_not_replaced(tmp_path):
    real = tmp_path / "real.csv"
    real.write_text("old")
    link = tmp_path / "link.csv"
    link.symlink_to(real)
    write_atomic(link, "new")
    assert link.is_symlink() and real.read_text() == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.csv", "real.csv"]


def test_an_existing_file_keeps_its_permissions(tmp_path):
    target = tmp_path / "private.csv"
    target.write_text("old")
    target.chmod(0o600)
    write_atomic(target, "new")
    assert target.read_text() == "new" and stat.S_IMODE(target.stat().st_mode) == 0o600


def test_a_fifo_is_written_into_not_replaced(tmp_path):
    import threading

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_text()))
    reader.start()
    write_atomic(fifo, "through the pipe")
    reader.join(10)
    assert got == ["through the pipe"] and stat.S_ISFIFO(fifo.stat().st_mode)
    assert [p.name for p in tmp_path.iterdir()] == ["pipe"]


def test_a_device_is_written_into_not_replaced(run, tmp_path):
    null = tmp_path / "null"  # a device node of our own, like /dev/null (never the real one: a regression would
    try:                      # replace it with a regular file)
        os.mknod(null, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    except (PermissionError, OSError) as e:
        pytest.skip(f"cannot make a device node here: {e}")
    for args in (["rank", "--year", "2022", "-f", "csv"], ["map", "--year", "2022", "-f", "svg"]):
        assert run(*args, "-o", str(null)).code == 0
        assert stat.S_ISCHR(null.stat().st_mode) and null.stat().st_rdev == os.makedev(1, 3)
    assert [p.name for p in tmp_path.iterdir()] == ["null"]


@pytest.mark.parametrize("signame", ["SIGTERM", "SIGHUP"])
def test_sigterm_and_sighup_during_o_remove_the_temporary_file(tmp_path, signame):
    """Issue 11, item 11: the temporary file beside -o goes, as with Ctrl-C; the target is untouched."""
    import signal
    import subprocess
    import sys

    target = tmp_path / "out.csv"
    target.write_text("before\n")
    code = ("import sys, time\nfrom dti_cli.cli import handle_signals\nfrom dti_cli.io.files import atomic_path\n"
            "handle_signals()\n"
            f"with atomic_path({str(target)!r}) as tmp:\n"
            "    tmp.write_text('half')\n    print('ready', flush=True)\n    time.sleep(30)\n")
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "ready"
    proc.send_signal(getattr(signal, signame))
    assert proc.wait(timeout=10) == 128 + getattr(signal, signame)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv"] and target.read_text() == "before\n"
