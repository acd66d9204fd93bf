#!/usr/bin/env bash
# Runs the fuzz targets one after another, politely (nice, one job), seeding
# each corpus from the project's own documents and registry files.
#
#   fuzz/run.sh                     # every target, 10 million runs each
#   RUNS=100000 fuzz/run.sh lint    # one target, fewer runs
#   MAX_TIME=600 fuzz/run.sh        # at most ten minutes per target
#
# Needs cargo-fuzz (`cargo install cargo-fuzz`) and a nightly toolchain
# (`rustup toolchain install nightly`). Crashes land in
# fuzz/artifacts/<target>/; copy each to fuzz/regressions/<target>/ once
# fixed, where `cargo test --test robustness` replays it.
#
# Do not pause a run (kill -STOP, a laptop's sleep): libFuzzer's -timeout
# counts wall time, so the unit in flight is written out as a spurious
# `timeout-…` artifact and the run ends. Replay such an artifact with the
# target binary before treating it as a hang.
set -euo pipefail
cd "$(dirname "$0")"
RUNS=${RUNS:-10000000}
TARGETS=("$@")
if [ ${#TARGETS[@]} -eq 0 ]; then
  TARGETS=(markdown html sentences citations registry decode lint)
fi

seed() {
  local target=$1 dir=corpus/$1
  mkdir -p "$dir"
  [ -d "seeds/$target" ] && cp seeds/"$target"/* "$dir"/ 2>/dev/null || true
  [ -d regressions/"$target" ] && cp regressions/"$target"/* "$dir"/ 2>/dev/null || true
  case $target in
    registry)
      # The first byte picks: 1 = vocabulary, 2 = entries on the built-in one.
      local f
      for f in ../rules/registry/*.yaml; do
        case $(basename "$f") in
          _*) { printf '\001'; cat "$f"; } > "$dir/$(basename "$f")" ;;
          *) { printf '\002'; cat "$f"; } > "$dir/$(basename "$f")" ;;
        esac
      done ;;
    decode)
      # The first byte picks the encoding option: 0 none (BOM, <meta>),
      # 4 Shift_JIS, 5 EUC-JP, 2 UTF-16LE.
      local f n
      for f in ../corpus/*/*.md ../corpus/*/*.html ../corpus/*/*.txt; do
        n=$(basename "$f")
        { printf '\000'; cat "$f"; } > "$dir/$n"
        { printf '\004'; iconv -c -f UTF-8 -t SHIFT_JIS "$f"; } > "$dir/sjis-$n"
        { printf '\005'; iconv -c -f UTF-8 -t EUC-JP "$f"; } > "$dir/euc-$n"
        { printf '\002'; iconv -c -f UTF-8 -t UTF-16LE "$f"; } > "$dir/utf16-$n"
      done ;;
    markdown)
      cp ../corpus/markdown/*.md "$dir"/ ;;
    html)
      cp ../corpus/html/*.html "$dir"/ ;;
    *)
      # The first byte picks the format: '0' Markdown, '1' HTML, '2' text.
      local f n
      for f in ../corpus/markdown/*.md; do n=$(basename "$f"); { printf 0; cat "$f"; } > "$dir/$n"; done
      for f in ../corpus/html/*.html; do n=$(basename "$f"); { printf 1; cat "$f"; } > "$dir/$n"; done
      for f in ../corpus/text/*.txt; do n=$(basename "$f"); { printf 2; cat "$f"; } > "$dir/$n"; done ;;
  esac
}

# Build once, then run the binaries: a tree that changes under a long run
# is not rebuilt halfway (SKIP_BUILD=1 reuses the last build).
if [ -z "${SKIP_BUILD:-}" ]; then
  nice -n 19 cargo +nightly fuzz build --sanitizer none --debug-assertions
fi
BIN=target/x86_64-unknown-linux-gnu/release

for t in "${TARGETS[@]}"; do
  seed "$t"
  mkdir -p "artifacts/$t"
  echo "== $t: $RUNS runs"
  nice -n 19 "$BIN/$t" "corpus/$t" -artifact_prefix="artifacts/$t/" \
    -runs="$RUNS" -max_len="${MAX_LEN:-4096}" -timeout=20 -rss_limit_mb=4096 \
    ${MAX_TIME:+-max_total_time=$MAX_TIME} -print_final_stats=1
done
