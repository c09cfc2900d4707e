#!/usr/bin/env python3
"""The man pages (issue 18, point 3): qcra(8) and qcra.conf(5) render
with groff without a warning; every key of core/config.c's keys[] table
is in qcra.conf(5); every command, subcommand and option that the
commands' --help print is in qcra(8).
Usage: check-man.py SRCDIR QCRA QCRA_CONF_5   (TAP)"""
import re
import subprocess
import sys

src, qcra, conf5 = sys.argv[1:4]
qcra8 = src + "/docs/qcra.8"
n = 0
failed = False


def ok(cond, what, detail=""):
    global n, failed
    n += 1
    print(("ok" if cond else "not ok") + " %d - %s" % (n, what))
    if not cond:
        failed = True
        for line in detail.splitlines():
            print("# " + line)


def text(path):
    """The page's words: roff's escaped hyphens as plain ones."""
    with open(path) as f:
        return f.read().replace("\\-", "-").replace("\\fB", "").replace("\\fR", "").replace(
            "\\fI", "")


for page in (qcra8, conf5):
    r = subprocess.run(["groff", "-man", "-Tutf8", "-ww", "-z", page], capture_output=True,
                       text=True)
    ok(r.returncode == 0 and r.stderr == "", "groff -man -ww renders %s without warnings"
       % page.rsplit("/", 1)[-1], r.stderr)

with open(src + "/src/core/config.c") as f:
    table = f.read().split("static const struct key keys[] = {", 1)[1].split("\n};", 1)[0]
keys = re.findall(r'(?:STR|INT|BOOL)\(\s*"([a-z_]+)"|\{"([a-z_]+)", C_', table)
keys = [a or b for a, b in keys]
page = text(conf5)
missing = [k for k in keys if not re.search(r"^\.B %s$" % k, page, re.M)]
ok(len(keys) > 30 and not missing,
   "qcra.conf(5) documents all %d keys of keys[]" % len(keys), "missing: %s" % missing)

with open(src + "/src/main.c") as f:
    commands = re.findall(r'\{"([a-z]+)", cli_', f.read())
page = text(qcra8)
forms, options = set(), set()
for c in commands:
    r = subprocess.run([qcra, c, "--help"], capture_output=True, text=True)
    usage = r.stdout.split("\n\nConfiguration keys")[0]
    for m in re.finditer(r"qcra %s( [a-z][a-z-]*)?" % c, usage):
        forms.add(m.group(0))
    options.update(re.findall(r"--[a-z][a-z0-9-]*", usage))
ok(len(commands) >= 10, "main.c's table names the commands (%d)" % len(commands))
missing = sorted(f for f in forms if not re.search(r"\.SS \"%s\b" % re.escape(f), page))
ok(not missing, "qcra(8) has a section for each of the %d commands the --help print" % len(forms),
   "missing: %s" % missing)
missing = sorted(o for o in options if not re.search(r"%s\b" % re.escape(o), page))
ok(not missing, "qcra(8) names each of the %d options the --help print" % len(options),
   "missing: %s" % missing)
print("1..%d" % n)
sys.exit(1 if failed else 0)
