#!/usr/bin/env python3
"""The message catalogue says everything in both languages, and no text
is shown with a placeholder left in it.

  check-messages.py SRCDIR

Checks, printing TAP (one test each; a failing one lists what is wrong):
 1. messages/sr.txt and messages/en.txt have the same keys;
 2. each key has the same placeholders ("{name}") in both languages;
 3. where the C sources format a key given as a literal (i18n_format,
    i18n_note, i18n_note_to, uc_mail, app_mail and their _withheld
    forms) with literal names, those names cover every placeholder of
    the key in both languages;
 4. a key shown as it is, without values (msg(r, "key"), i18n_get(l,
    "key"), "{{@key}}" in a template), has no placeholder;
 5. a field's message ("field.*": its label, its error, chosen at run
    time by the validators) uses only the values web/fields.c gives
    every field error: {field} (the label) and {max} (the limit);
 6. no full stop right after a {date}: a date is written with its own
    ("05.01.2027.", web/pages.c page_time);
 7. a noun after a count, "{name|one|few|many}" (core/i18n.c
    plural_put), has Serbian's three forms in sr.txt and English's two
    in en.txt, and counts a {name} the same text shows.
A call whose key or names are not literals (a key chosen at run time)
cannot be checked here and is counted, not failed.
"""
import os
import re
import sys

PLACEHOLDER = re.compile(r"\{@?([A-Za-z_][A-Za-z0-9_]*)\}")
PLURAL = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\|([^{}]*)\}")
PLURAL_FORMS = {"sr": 3, "en": 2}
TEMPLATE_KEY = re.compile(r"\{\{@([A-Za-z0-9_.]+)\}\}")

# function: (indexes of the key arguments, index of the first name)
FORMATTERS = {
    "i18n_format": ((2,), 3),
    "i18n_note": ((1,), 2),
    "i18n_note_to": ((2,), 3),
    "uc_mail": ((4, 5), 6),
    "uc_mail_withheld": ((3, 4), 5),
    "app_mail": ((3, 4), 5),
    "app_mail_withheld": ((2, 3), 4),
}
# What web/fields.c formats every field error with.
FIELD_VALUES = {"field", "max"}
# function: index of a key shown without values
PLAIN = {"msg": 1, "i18n_get": 1}


def read_catalogue(path):
    keys = {}
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            if "=" not in line:
                continue
            key, text = line.split("=", 1)
            keys[key.strip()] = (text.strip(), n)
    return keys


def placeholders(text):
    return set(PLACEHOLDER.findall(text))


def strip_comments(src):
    """The C source with comments blanked (strings kept)."""
    out, i, n = [], 0, len(src)
    while i < n:
        c = src[i]
        if c in "\"'":
            j = i + 1
            while j < n and src[j] != c:
                j += 2 if src[j] == "\\" else 1
            out.append(src[i:j + 1])
            i = j + 1
        elif src.startswith("/*", i):
            j = src.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append(re.sub(r"[^\n]", " ", src[i:j]))
            i = j
        elif src.startswith("//", i):
            j = src.find("\n", i)
            j = n if j < 0 else j
            i = j
        else:
            out.append(c)
            i += 1
    return "".join(out)


def call_args(src, start):
    """The top-level arguments of the call whose '(' is at start."""
    args, depth, i, cur = [], 0, start, []
    while i < len(src):
        c = src[i]
        if c in "\"'":
            j = i + 1
            while j < len(src) and src[j] != c:
                j += 2 if src[j] == "\\" else 1
            cur.append(src[i:j + 1])
            i = j + 1
            continue
        if c in "([{":
            depth += 1
            if depth > 1:
                cur.append(c)
        elif c in ")]}":
            depth -= 1
            if depth == 0:
                args.append("".join(cur).strip())
                return args
            cur.append(c)
        elif c == "," and depth == 1:
            args.append("".join(cur).strip())
            cur = []
        else:
            cur.append(c)
        i += 1
    return None


STRING = re.compile(r'^(\s*"(?:[^"\\]|\\.)*"\s*)+$')


def literal(arg):
    """The value of an argument made only of string literals, or None."""
    if arg is None or not STRING.match(arg):
        return None
    return "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', arg))


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else "."
    sr = read_catalogue(os.path.join(root, "messages", "sr.txt"))
    en = read_catalogue(os.path.join(root, "messages", "en.txt"))
    results = []

    problems = ["%s only in sr.txt (line %d)" % (k, sr[k][1]) for k in sr if k not in en]
    problems += ["%s only in en.txt (line %d)" % (k, en[k][1]) for k in en if k not in sr]
    results.append(("every key in both languages", problems))

    problems = []
    for k in sr:
        if k in en and placeholders(sr[k][0]) != placeholders(en[k][0]):
            problems.append("%s: sr has %s, en has %s" % (
                k, sorted(placeholders(sr[k][0])), sorted(placeholders(en[k][0]))))
    results.append(("the same placeholders in both languages", problems))

    formatted, plain, unchecked = [], [], 0
    for d, _, files in os.walk(os.path.join(root, "src")):
        for name in sorted(files):
            if not name.endswith(".c"):
                continue
            path = os.path.join(d, name)
            with open(path, encoding="utf-8") as f:
                src = strip_comments(f.read())
            rel = os.path.relpath(path, root)
            for fn in list(FORMATTERS) + list(PLAIN):
                for m in re.finditer(r"\b%s\s*\(" % fn, src):
                    before = src[max(0, m.start() - 40):m.start()]
                    if re.search(r"(char|int|size_t|const)\s*\**\s*$", before):
                        continue  # a declaration or definition
                    args = call_args(src, m.end() - 1)
                    if args is None:
                        continue
                    line = src.count("\n", 0, m.start()) + 1
                    where = "%s:%d" % (rel, line)
                    if fn in PLAIN:
                        key = literal(args[PLAIN[fn]]) if len(args) > PLAIN[fn] else None
                        if key is not None:
                            plain.append((where, key))
                        continue
                    kidx, first = FORMATTERS[fn]
                    keys = [literal(args[i]) if i < len(args) else None for i in kidx]
                    names = [literal(a) for a in args[first:-1:2]]
                    if any(k is None for k in keys) or any(n is None for n in names):
                        unchecked += 1
                        continue
                    formatted.append((where, keys, set(n.lstrip("@") for n in names)))
    tdir = os.path.join(root, "templates")
    for d, _, files in os.walk(tdir):
        for name in sorted(files):
            if name.endswith(".html"):
                with open(os.path.join(d, name), encoding="utf-8") as f:
                    for n, line in enumerate(f, 1):
                        for key in TEMPLATE_KEY.findall(line):
                            plain.append(("%s:%d" % (os.path.relpath(os.path.join(d, name), root), n), key))

    problems = []
    for where, keys, names in formatted:
        for k in keys:
            for lang, cat in (("sr", sr), ("en", en)):
                if k not in cat:
                    problems.append("%s: %s is not in %s.txt" % (where, k, lang))
                    continue
                missing = placeholders(cat[k][0]) - names
                if missing:
                    problems.append("%s: %s (%s) gets no value for %s" % (
                        where, k, lang, ", ".join("{%s}" % x for x in sorted(missing))))
    results.append(("every placeholder of a formatted key gets a value (%d calls checked, %d "
                    "with a key chosen at run time)" % (len(formatted), unchecked), problems))

    problems = []
    for where, k in plain:
        for lang, cat in (("sr", sr), ("en", en)):
            if k in cat and placeholders(cat[k][0]):
                problems.append("%s: %s (%s) is shown without values but has %s" % (
                    where, k, lang, ", ".join("{%s}" % x for x in sorted(placeholders(cat[k][0])))))
    results.append(("a key shown as it is has no placeholder (%d uses)" % len(plain), problems))

    problems = []
    for lang, cat in (("sr", sr), ("en", en)):
        for k, (text, n) in cat.items():
            extra = placeholders(text) - FIELD_VALUES
            if k.startswith("field.") and extra:
                problems.append("%s (%s.txt line %d) has %s" % (
                    k, lang, n, ", ".join("{%s}" % x for x in sorted(extra))))
    results.append(("a field's message uses only {field} and {max}", problems))

    problems = []
    for lang, cat in (("sr", sr), ("en", en)):
        for k, (text, n) in cat.items():
            if re.search(r"\{(date|until|expires|at)\}\.", text):
                problems.append("%s (%s.txt line %d)" % (k, lang, n))
    results.append(("no second full stop after a date", problems))

    problems = []
    for lang, cat in (("sr", sr), ("en", en)):
        for k, (text, n) in cat.items():
            for name, forms in PLURAL.findall(text):
                if len(forms.split("|")) != PLURAL_FORMS[lang]:
                    problems.append("%s (%s.txt line %d): {%s|...} needs %d forms" % (
                        k, lang, n, name, PLURAL_FORMS[lang]))
                if name not in placeholders(text):
                    problems.append("%s (%s.txt line %d): {%s|...} counts no {%s} shown" % (
                        k, lang, n, name, name))
    results.append(("a noun after a count has its language's forms", problems))

    print("1..%d" % len(results))
    failed = 0
    for i, (what, probs) in enumerate(results, 1):
        if probs:
            failed += 1
            print("not ok %d - %s" % (i, what))
            for p in sorted(set(probs)):
                print("# %s" % p)
        else:
            print("ok %d - %s" % (i, what))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
