#!/usr/bin/env python3
"""Mutation run: lint damaged copies of pages and check that nothing breaks.

    scripts/mutate.py [--count N] [--seed S] [--exolint PATH] PAGE...

Each input is one of PAGE (default: every page under corpus/) damaged by a
few random edits: byte flips, truncations (also inside a multi-byte
character), inserted or deleted characters, inserted HTML tags, comments,
code-fence and blockquote markers, `exolint-` directives, BOMs and NULs.
Every input is linted with `--format json`; the run fails when exolint
panics, exits with anything but 0, 1 or 2, prints unparseable JSON, or
reports a span that is out of bounds, off a character boundary, or whose
line and column do not match its byte offset.

With --sections, each Markdown or text input is also linted cut into
tiny sections (EXOLINT_SECTION_SIZE=64, as a file over 8 MiB is cut into
1 MiB ones), with headings among the inserted snippets so that there are
cuts; the run then also fails when the two disagree on any finding (the
findings about `exolint-` comments may come in another order).

Inputs that fail are kept under target/mutate/ for replay. Needs only the
standard library; builds nothing (pass --exolint or build first).
"""

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

SNIPPETS = [
    b"<div>", b"</div>", b"<p>", b"<script>", b"</script>", b"<!--", b"-->",
    b"<!-- exolint-disable-next-line -->", b"<!-- exolint-enable -->",
    b"```", b"~~~", b"\n```\n", b"> ", b"\n>>>>> ", b"- ", b"1. ", b"[^1]",
    b"[^1]: ", b"\n\n", b"\r\n", b"\t", b"\x00", b"\xef\xbb\xbf", b"&amp;",
    b"&#x", b"&", b"<", b">", b"|", b"\n| a | b |\n|---|---|\n", b"**",
    "「".encode(), "」".encode(), "。".encode(), "？".encode(),
    "必ず髪が生えます。".encode(), "（Li et al., 2022）".encode(),
    "ではない".encode(), "ｴｸｿｿｰﾑ".encode(), "\U0001F600".encode(),
]


HEADINGS = [b"\n\n# \xe8\xa6\x8b\xe5\x87\xba\xe3\x81\x97\n\n", b"\n\n## 2\n", b"\n\n###\n\n"]


def mutate(data: bytes, rng: random.Random, extra=()) -> bytes:
    snippets = SNIPPETS + list(extra)
    b = bytearray(data)
    for _ in range(rng.randint(1, 6)):
        kind = rng.randrange(7)
        pos = rng.randint(0, len(b)) if b else 0
        if kind == 0 and b:
            i = rng.randrange(len(b))
            b[i] ^= 1 << rng.randrange(8)
        elif kind == 1 and b:
            del b[rng.randint(0, len(b)):]
        elif kind == 2:
            b[pos:pos] = rng.choice(snippets)
        elif kind == 3 and b:
            end = min(len(b), pos + rng.randint(1, 40))
            del b[pos:end]
        elif kind == 4 and b:
            # Duplicate a slice: repeated structure, deep nesting.
            end = min(len(b), pos + rng.randint(1, 400))
            b[pos:pos] = b[pos:end] * rng.randint(1, 20)
        elif kind == 5:
            b[pos:pos] = rng.choice(snippets) * rng.randint(50, 2000)
        else:
            text = b.decode("utf-8", "replace")
            if text:
                i = rng.randrange(len(text))
                text = text[:i] + rng.choice("「」（）。、\n ａ１ｱ") + text[i:]
            b = bytearray(text.encode())
    return bytes(b)


def position(data: bytes, offset: int):
    """1-based line and column in characters of a byte offset."""
    line_start = data.rfind(b"\n", 0, offset) + 1
    line = data.count(b"\n", 0, offset) + 1
    column = len(data[line_start:offset].decode("utf-8")) + 1
    return line, column


def check_span(data: bytes, span, start, end, what):
    s, e = span["start"], span["end"]
    if not (0 <= s <= e <= len(data)):
        return f"{what}: span {s}..{e} outside 0..{len(data)}"
    for o in (s, e):
        if o < len(data) and (data[o] & 0xC0) == 0x80:
            return f"{what}: offset {o} is inside a character"
    if data.startswith(b"\xef\xbb\xbf") or data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return None  # positions count from after the BOM / in decoded text
    for o, p in ((s, start), (e, end)):
        try:
            want = position(data, o)
        except UnicodeDecodeError:
            return None  # not UTF-8: decoded from a legacy encoding
        if (p["line"], p["column"]) != want:
            return f"{what}: offset {o} is {want}, reported {p['line']}:{p['column']}"
    return None


def findings(stdout: bytes):
    """The diagnostics of a JSON run, in a canonical order."""
    return sorted(json.dumps(d, sort_keys=True) for d in json.loads(stdout)["diagnostics"])


def compare_sections(exolint: str, path: str, whole) -> str:
    env = dict(os.environ, EXOLINT_SECTION_SIZE="64")
    out = subprocess.run([exolint, "-f", "json", "-j1", path],
                         capture_output=True, timeout=120, env=env)
    if out.returncode != whole.returncode:
        return f"in sections: exit {out.returncode}, whole: {whole.returncode}"
    if out.returncode == 2:
        return None
    try:
        a, b = findings(whole.stdout), findings(out.stdout)
    except ValueError as e:
        return f"in sections: unparseable JSON: {e}"
    if a != b:
        only = sorted(set(a) ^ set(b))[:2]
        return f"in sections: {len(a)} findings whole, {len(b)} in sections; e.g. {only}"
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--count", type=int, default=1200)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--exolint", default=os.path.join(ROOT, "target/release/exolint"))
    ap.add_argument("--sections", action="store_true",
                    help="also lint each input in tiny sections and compare")
    ap.add_argument("pages", nargs="*")
    args = ap.parse_args()
    pages = args.pages or [
        os.path.join(d, f)
        for d, _, fs in os.walk(os.path.join(ROOT, "corpus"))
        for f in sorted(fs)
        if f.endswith((".md", ".html", ".txt"))
    ]
    rng = random.Random(args.seed)
    keep = os.path.join(ROOT, "target", "mutate")
    failures = 0
    exits = {}
    with tempfile.TemporaryDirectory() as tmp:
        for n in range(args.count):
            page = rng.choice(pages)
            with open(page, "rb") as f:
                data = mutate(f.read(), rng, HEADINGS if args.sections else ())
            path = os.path.join(tmp, f"m{n}{os.path.splitext(page)[1]}")
            with open(path, "wb") as f:
                f.write(data)
            out = subprocess.run(
                [args.exolint, "-f", "json", "-j1", path],
                capture_output=True, timeout=120,
            )
            exits[out.returncode] = exits.get(out.returncode, 0) + 1
            problem = None
            if out.returncode not in (0, 1, 2) or b"panicked" in out.stderr:
                problem = f"exit {out.returncode}: {out.stderr[-400:]!r}"
            else:
                try:
                    doc = json.loads(out.stdout)
                except ValueError as e:
                    problem = f"unparseable JSON: {e}"
                else:
                    for d in doc["diagnostics"]:
                        problem = check_span(data, d["span"], d["start"], d["end"], d["code"])
                        for c in d["citations"]:
                            problem = problem or check_span(
                                data, c["span"], c["start"], c["end"], "citation")
                        if problem:
                            break
            if not problem and args.sections and not path.endswith(".html"):
                problem = compare_sections(args.exolint, path, out)
            if problem:
                failures += 1
                os.makedirs(keep, exist_ok=True)
                kept = os.path.join(keep, os.path.basename(path))
                with open(kept, "wb") as f:
                    f.write(data)
                print(f"FAIL {kept} (from {os.path.relpath(page, ROOT)}): {problem}")
    print(f"mutate: {args.count} inputs, {failures} failures, exit codes {dict(sorted(exits.items()))}")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
