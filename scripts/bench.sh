#!/usr/bin/env bash
# Whole-process benchmark of exolint against ripgrep on the same inputs.
#
#   scripts/bench.sh [RUNS]            (default 5 runs per measurement)
#
# Builds exolint and the examples in release mode, generates the standard
# inputs with `examples/gen-corpus.rs` into target/bench/ (never committed),
# writes the claim patterns for `rg -f` with `examples/claim-patterns.rs`,
# then reports for each case the median wall time, MB/s, the peak RSS
# (from /usr/bin/time -v) and exolint's time as a ratio of
# `rg --json -f patterns` on the same input. exolint and rg (and, for the
# tree, one thread and all cores) run in alternation, one run each per
# round, and ratios are medians of the ratios within a round, so the host's
# drift over minutes does not favour either side:
#
#   50mb-j1    one 50 MB Markdown file, one thread      (exolint -j1 -f json)
#   tree-j1    2,000 files x 5 KB (10 MB), one thread   (rg -j1)
#   tree-jN    the same tree on all cores               (rg default threads)
#   2kb        one 2 KB file end to end, process start included
#
# Output goes to /dev/null. Needs ripgrep, GNU time and python3; installs
# ripgrep, time and hyperfine with apt-get when run as root, and otherwise
# says what is missing. Benchmark on a quiet machine: other processes
# compiling change every figure.
set -euo pipefail

RUNS="${1:-5}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
OUT="$TARGET/bench"
mkdir -p "$OUT"

need() {
    local missing=()
    command -v rg >/dev/null || missing+=(ripgrep)
    [ -x /usr/bin/time ] || missing+=(time)
    command -v python3 >/dev/null || missing+=(python3)
    command -v hyperfine >/dev/null || missing+=(hyperfine)
    if [ ${#missing[@]} -gt 0 ]; then
        if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
            echo "bench: installing ${missing[*]} with apt-get" >&2
            apt-get update -qq >/dev/null && apt-get install -y -qq "${missing[@]}" >/dev/null
        fi
    fi
    for tool in rg /usr/bin/time python3; do
        if ! command -v "$tool" >/dev/null; then
            echo "bench: $tool is required (Debian packages: ripgrep, time, python3)" >&2
            exit 2
        fi
    done
}
need

echo "bench: building (release)" >&2
cargo build --release --quiet --bin exolint --example gen-corpus --example claim-patterns
EXOLINT="$TARGET/release/exolint"
GEN="$TARGET/release/examples/gen-corpus"

# Inputs are deterministic; regenerate only when missing.
[ -f "$OUT/big.md" ] || "$GEN" file "$OUT/big.md" --size 50M
[ -d "$OUT/tree" ] || "$GEN" tree "$OUT/tree" --files 2000 --size 5K
[ -f "$OUT/small.md" ] || "$GEN" file "$OUT/small.md" --size 2K
"$TARGET/release/examples/claim-patterns" > "$OUT/patterns.txt"

CORES="$(nproc)"
export EXOLINT RUNS OUT CORES
python3 - <<'PY'
import os, re, statistics, subprocess, sys, time, shutil, json

runs = int(os.environ["RUNS"])
out = os.environ["OUT"]
exo = os.environ["EXOLINT"]
cores = os.environ["CORES"]
pat = f"{out}/patterns.txt"

def size(path):
    if os.path.isfile(path):
        return os.path.getsize(path)
    return sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(path) for f in fs)

def run_once(cmd):
    """Wall seconds and peak RSS (KB) of one run."""
    t = time.perf_counter()
    p = subprocess.run(["/usr/bin/time", "-v"] + cmd, stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - t
    # exolint exits 1 when it finds claims; anything else is a failure.
    if p.returncode not in (0, 1):
        sys.exit(f"bench: {' '.join(cmd)} failed:\n{p.stderr[-2000:]}")
    m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", p.stderr)
    return wall, int(m.group(1)) if m else 0

def measure_together(cmds):
    """Each command once per round, `runs` rounds, so that the host's drift
    (10-20 % within minutes on shared machines) hits all of them alike.
    Per command: the walls and peak RSS values of every round."""
    walls = [[] for _ in cmds]
    rss = [[] for _ in cmds]
    for _ in range(runs):
        for i, cmd in enumerate(cmds):
            w, r = run_once(cmd)
            walls[i].append(w)
            rss[i].append(r)
    return walls, rss

def measure(cmd):
    """Median wall seconds and median peak RSS (KB) over `runs` runs."""
    walls, rss = measure_together([cmd])
    return statistics.median(walls[0]), statistics.median(rss[0])

def paired(a, b):
    """Median of the round-by-round ratios a/b."""
    return statistics.median(x / y for x, y in zip(a, b))

def precise(cmd):
    """Median wall seconds of a short command: hyperfine when present."""
    if shutil.which("hyperfine"):
        j = f"{out}/hyperfine.json"
        subprocess.run(["hyperfine", "-N", "-i", "-w", "3", "-r", str(max(runs, 20)),
                        "--export-json", j, " ".join(cmd)],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        return json.load(open(j))["results"][0]["median"]
    walls = []
    for _ in range(max(runs, 20)):
        t = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        walls.append(time.perf_counter() - t)
    return statistics.median(walls)

cases = [
    ("50mb-j1", f"{out}/big.md", ["-j1"], ["-j1"]),
    ("tree-j1", f"{out}/tree", ["-j1"], ["-j1"]),
    (f"tree-j{cores}", f"{out}/tree", [f"-j{cores}"], []),
]
print(f"{'case':<10} {'MB':>6} {'exolint s':>10} {'MB/s':>8} {'RSS MB':>7} "
      f"{'rg s':>7} {'rg RSS':>7} {'ratio':>6}")
# The tree cases run in the same rounds, so the speed-up is paired too.
groups = [cases[:1], cases[1:]]
tree_walls = {}
for group in groups:
    cmds = []
    for name, path, exo_args, rg_args in group:
        cmds.append([exo, *exo_args, "-f", "json", path])
        cmds.append(["rg", "--json", *rg_args, "-f", pat, path])
    walls, rss = measure_together(cmds)
    for k, (name, path, _, _) in enumerate(group):
        mb = size(path) / 1e6
        ew, rw = walls[2 * k], walls[2 * k + 1]
        e, r = statistics.median(ew), statistics.median(rw)
        e_rss, r_rss = statistics.median(rss[2 * k]), statistics.median(rss[2 * k + 1])
        tree_walls[name] = ew
        print(f"{name:<10} {mb:6.1f} {e:10.3f} {mb / e:8.1f} {e_rss / 1024:7.1f} "
              f"{r:7.3f} {r_rss / 1024:7.1f} {paired(ew, rw):6.2f}")
small = f"{out}/small.md"
s = precise([exo, "-f", "json", small])
_, s_rss = measure([exo, "-f", "json", small])
rs = precise(["rg", "--json", "-f", pat, small])
print(f"{'2kb':<10} {size(small) / 1e6:6.3f} {s:10.4f} {'':>8} {s_rss / 1024:7.1f} "
      f"{rs:7.4f} {'':>7} {s / rs:6.2f}")
speedup = paired(tree_walls["tree-j1"], tree_walls[f"tree-j{cores}"])
print(f"\ntree speed-up with {cores} threads: {speedup:.2f}x")
print(f"medians of {runs} runs (2kb: {max(runs, 20)}); ratio = median over the runs of "
      f"exolint time / rg time in the same round")
PY
