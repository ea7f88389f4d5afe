"""web/worker/worker.py under CPython: it keeps the leaf values of its latest timelines only, and
a call for an older one is answered once the page sends them (web/page/app.js callAt)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def load_worker():
    spec = importlib.util.spec_from_file_location("gradstep_worker_test", ROOT / "web" / "worker" / "worker.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.progress = lambda what: None
    return module


def call(worker, method, **args):
    return json.loads(worker.handle(method, json.dumps(args)))


def test_old_versions_are_let_go_and_answered_with_their_leaves():
    worker = load_worker()
    assert call(worker, "load", text="a = 1.0\nb = a * a\n", layout=False)["ok"]
    for version in range(2, 2 + 300):
        assert call(worker, "timeline", version=version, leaves=[repr(1.0 + version)])["ok"]
    assert len(worker._starts) == worker._KEEP_STARTS  # (not 301)
    latest = call(worker, "frames", start=0, count=2, version=301)
    assert latest["ok"] and latest["version"] == 301
    old = call(worker, "frames", start=0, count=2, version=3)
    assert not old["ok"] and old["unknown_version"]
    again = call(worker, "frames", start=0, count=2, version=3, leaves=["4.0"])
    assert again["ok"] and "16.0" in json.dumps(again["frames"])  # b = 4.0 * 4.0
