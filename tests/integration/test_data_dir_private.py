"""Files only their owner can read (issue 15): what Loket creates in the data dir is 0600 (folders
0700), and `loket run` names a data dir others can read."""
from __future__ import annotations

import os
import stat
import subprocess
import sys

from adapters.data_dir import exposed
from cli.run import _warn_if_exposed
from settings import PROJECT_ROOT


def test_the_store_bus_archive_and_keys_are_created_for_their_owner_only(tmp_path):
    data = tmp_path / "var"
    script = (
        "import os; os.umask(0o022)\n"  # a usual shell umask: Loket must not rely on it
        "import bootstrap\nfrom adapters.store.migrate import upgrade\nfrom settings import Settings\n"
        f"s = Settings(LOKET_DATA_DIR={str(data)!r})\n"
        "services = bootstrap.build(s)\nupgrade(s.database_url)\nservices.api_key\n"
        "services.archive.root.mkdir(parents=True, exist_ok=True)\n"
        "services.bus.counts()\nservices.close()\n"
    )
    subprocess.run([sys.executable, "-c", script], cwd=PROJECT_ROOT, check=True, timeout=120)  # noqa: S603
    made = [data, *data.rglob("*")]
    assert any(p.name == "loket.db" for p in made) and any(p.name == "api.key" for p in made)
    for path in made:
        mode = stat.S_IMODE(path.lstat().st_mode)
        assert mode & 0o077 == 0, f"{path.relative_to(tmp_path)} is {oct(mode)}"
    assert exposed(data) == []


def test_loket_run_names_a_data_dir_others_can_read(tmp_path, capsys):
    data = tmp_path / "var"
    data.mkdir()
    (data / "loket.db").write_bytes(b"")
    os.chmod(data / "loket.db", 0o644)
    found = exposed(data)
    assert data / "loket.db" in found
    _warn_if_exposed(data, found)
    assert "chmod -R go-rwx" in capsys.readouterr().err
