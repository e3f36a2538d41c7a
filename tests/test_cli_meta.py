"""Meta-tests: help everywhere, no pandas for help and completion, version, python -m."""

import os
import subprocess
import sys

import pytest

from dti_cli import cli


def _commands():
    import typer.main

    group = typer.main.get_command(cli.app)
    return sorted(group.commands)


@pytest.mark.parametrize("name", _commands())
def test_every_command_has_help(run, name):
    res = run(name, "--help")
    assert res.code == 0
    assert "Usage: dti " + name in res.out
    import typer.main

    cmd = typer.main.get_command(cli.app).commands[name]
    assert cmd.help and len(cmd.help.strip()) > 20


def test_help_and_completion_do_not_import_pandas():
    code = ("import sys\n"
            "from dti_cli import cli\n"
            "try:\n    cli.main(['--help'])\nexcept SystemExit:\n    pass\n"
            "try:\n    cli.main(['rank', '--help'])\nexcept SystemExit:\n    pass\n"
            "print(cli._complete_province('quang'))\n"
            "print(cli._complete_year('202'))\n"
            "assert 'pandas' not in sys.modules, 'pandas imported'\n"
            "assert 'numpy' not in sys.modules, 'numpy imported'\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert "quang-ninh" in out.stdout and "2022" in out.stdout


def test_shell_completion_of_provinces():
    env = dict(os.environ, _DTI_COMPLETE="complete_bash", COMP_WORDS="dti compare quang-n", COMP_CWORD="2")
    out = subprocess.run([sys.executable, "-c", "from dti_cli.cli import main; main()"], capture_output=True,
                         text=True, env=env)
    assert "quang-ninh" in out.stdout and "quang-nam" in out.stdout


def test_version(run):
    res = run("--version")
    assert res.code == 0 and res.out.startswith("dti ")


def test_python_dash_m():
    out = subprocess.run([sys.executable, "-m", "dti_cli", "--version"], capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout.startswith("dti ")


def test_bad_option_is_one_line_exit_2(run):
    res = run("rank", "--yaer", "2022")
    assert res.code == 2
    assert len(res.err.strip().splitlines()) == 1 and res.err.startswith("Error:")


def test_installed_command_runs_from_anywhere(tmp_path):
    """The `dti` on PATH (the installed wheel in CI) finds its bundled data and methods from any directory."""
    import shutil

    exe = shutil.which("dti", path=os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""))
    if exe is None:
        pytest.skip("no `dti` command on PATH (the package is not installed)")
    out = subprocess.run([exe, "rank", "--year", "2022", "--top", "1", "-f", "csv"], capture_output=True, text=True,
                         cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines()[1].startswith("1,da-nang,Đà Nẵng,0.8002")
    out = subprocess.run([exe, "method", "405", "-f", "csv"], capture_output=True, text=True, cwd=tmp_path)
    assert out.returncode == 0 and "nen_tang" in out.stdout
