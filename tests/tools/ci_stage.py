#!/usr/bin/python3
"""Helpers of scripts/test's stages.

  ci_stage.py targets BUILDDIR SUITE
      prints the ninja targets (paths relative to BUILDDIR) the tests of
      meson suite SUITE run and depend on, one a line: a stage that runs
      one suite builds only these (`meson test` would build everything).
  ci_stage.py fuzz-targets BUILDDIR
      prints the ninja targets of the libFuzzer executables (fuzz_*).
  ci_stage.py slowest TESTLOG.JSON [N]
      prints the N (default 15) slowest tests of a meson testlog.json,
      seconds first.
"""
import json
import os
import sys


def intro(builddir, what):
    with open(os.path.join(builddir, "meson-info", "intro-%s.json" % what), encoding="utf-8") as f:
        return json.load(f)


def relative(builddir, path):
    build = os.path.realpath(builddir)
    path = os.path.realpath(path)
    if os.path.commonpath([build, path]) != build:
        return None
    return os.path.relpath(path, build)


def targets(builddir, suite):
    by_id = {t["id"]: t for t in intro(builddir, "targets")}
    out = []
    for t in intro(builddir, "tests"):
        if suite not in [s.split(":")[-1] for s in t.get("suite", [])]:
            continue
        files = [t["cmd"][0]] if t.get("cmd") else []
        for dep in t.get("depends", []):
            files += by_id.get(dep, {}).get("filename", [])
        for f in files:
            r = relative(builddir, f)
            if r is not None and r not in out:
                out.append(r)
    return out


def fuzz_targets(builddir):
    out = []
    for t in intro(builddir, "targets"):
        if t["type"] == "executable" and t["name"].startswith("fuzz_"):
            out += [relative(builddir, f) for f in t["filename"]]
    return out


def slowest(testlog, n):
    rows = []
    for line in open(testlog, encoding="utf-8", errors="replace"):
        line = line.strip()
        if line:
            t = json.loads(line)
            rows.append((float(t.get("duration") or 0), t.get("name", "?")))
    rows.sort(reverse=True)
    return ["%8.1f s  %s" % r for r in rows[:n]]


def main(argv):
    if len(argv) >= 3 and argv[1] == "targets" and len(argv) == 4:
        lines = targets(argv[2], argv[3])
    elif len(argv) == 3 and argv[1] == "fuzz-targets":
        lines = fuzz_targets(argv[2])
    elif len(argv) in (3, 4) and argv[1] == "slowest":
        lines = slowest(argv[2], int(argv[3]) if len(argv) == 4 else 15)
    else:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    for line in lines:
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
