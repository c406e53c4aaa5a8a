"""`make run` uses SQLite and no Redis: migrations, the demo data and every periodic job must
work there too (the raw PostgreSQL statements of the jobs have ORM twins for SQLite)."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run(args, env):
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-4000:]
    return result.stdout


def test_sqlite_install_migrates_seeds_and_runs_every_job(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "helpdesk.settings.dev",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'dev.sqlite3'}",
        "REDIS_URL": "",
        "ATTACHMENT_DIR": str(tmp_path / "files"),
    }
    env.pop("PYTEST_XDIST_WORKER", None)
    run(["migrate", "--noinput", "-v0"], env)
    run(["createcachetable"], env)
    assert "Demo data loaded" in run(["seed_demo"], env)
    assert "already loaded" in run(["seed_demo"], env)
    output = run(["run_lifecycle_jobs"], env)
    for job in ("auto_close", "purge", "scheduled_closures"):
        assert job in output
