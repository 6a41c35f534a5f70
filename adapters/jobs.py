"""Replay jobs as JSON files under `<data dir>/jobs/`, so the command and the API follow the same job."""

from __future__ import annotations

import os
import tempfile
import uuid
from pathlib import Path

from schemas.ops import Job


class FileJobStore:
    """One `<id>.json` per job, replaced atomically on every update (readers never see half a file)."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)

    def new_id(self) -> str:
        return uuid.uuid4().hex[:16]

    def save(self, job: Job) -> None:
        fd, tmp = tempfile.mkstemp(dir=self.root, suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(job.model_dump_json())
        os.replace(tmp, self._path(job.id))

    def get(self, job_id: str) -> Job | None:
        if not job_id.isalnum():
            return None
        path = self._path(job_id)
        return Job.model_validate_json(path.read_bytes()) if path.is_file() else None

    def recent(self, limit: int = 20) -> list[Job]:
        paths = sorted(self.root.glob("*.json"), key=lambda p: p.stat().st_mtime, reverse=True)[:limit]
        return [Job.model_validate_json(p.read_bytes()) for p in paths]

    def _path(self, job_id: str) -> Path:
        if not job_id.isalnum():  # the id comes from a URL: never let it name another file
            raise KeyError(job_id)
        return self.root / f"{job_id}.json"
