#!/usr/bin/env bash
# Run every bench (each bench/*.py with a main, one after another so they do not share the
# machine), then rewrite the part of bench/README.md between the run_all markers with the
# date, the core count and what each printed. Figures only: a bench that fails, or runs past
# BENCH_TIMEOUT seconds (600), is reported with its exit status and the rest still run.
#
#     bench/run_all.sh               every bench, standard arguments (args_of below)
#     bench/run_all.sh plan_cost.py  only these (the section then holds only these)
set -u
cd "$(dirname "$0")/.."
python="${PYTHON:-.venv/bin/python}"
readme=bench/README.md
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

if [ "$#" -gt 0 ]; then
    benches=("$@")
else
    benches=()
    for file in bench/*.py; do
        grep -q '^if __name__ == "__main__":' "$file" && benches+=("$(basename "$file")")
    done
fi

# The standard arguments: the issue's full sizes where a target is stated (10,000 pushes, 2,000
# targets, 10,000 items), the quick sizes for the tick and the faults, so all fit in 10 minutes.
args_of() {
    case "$1" in
        tick_cost.py | faults.py) echo "--quick" ;;
        plan_cost.py) echo "--sizes 2000" ;;
        *) echo "" ;;
    esac
}

started=$(date +%s)
for bench in "${benches[@]}"; do
    echo "== $bench $(args_of "$bench")" >&2
    t0=$(date +%s)
    # shellcheck disable=SC2046  # the arguments are words on purpose
    timeout "${BENCH_TIMEOUT:-600}" "$python" "bench/$bench" $(args_of "$bench") \
        >"$out/$bench.out" 2>"$out/$bench.err"
    echo "$? $(($(date +%s) - t0))" >"$out/$bench.rc"
    tail -n 3 "$out/$bench.err" >&2
done
total=$(($(date +%s) - started))

"$python" - "$readme" "$out" "$total" "$(nproc)" "${benches[@]}" <<'EOF'
"""Replace the run_all section of the README (appended the first time)."""
import sys
from datetime import datetime, timezone
from pathlib import Path

readme, out, total, cores, *benches = sys.argv[1:]
START, END = "<!-- run_all:start -->", "<!-- run_all:end -->"
when = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
parts = [START, f"## Latest run_all.sh ({when}, nproc {cores}, {total} s in all)", ""]
for bench in benches:
    status, seconds = (Path(out) / f"{bench}.rc").read_text().split()
    text = (Path(out) / f"{bench}.out").read_text().strip()
    failed = {"0": "", "124": ", timed out"}.get(status, f", exit status {status}")
    parts += [f"### {bench} ({seconds} s{failed})", ""]
    if text and not text.startswith("|") and "\n|" not in text:
        text = f"```\n{text}\n```"  # a bench that prints plain lines
    parts += [text, ""] if text else []
    err = (Path(out) / f"{bench}.err").read_text().strip().splitlines()[-5:]
    if status != "0" and err:
        parts += ["```", *err, "```", ""]
parts.append(END)
page = Path(readme).read_text(encoding="utf-8")
section = "\n".join(parts)
if START in page and END in page:
    head, rest = page.split(START, 1)
    page = head + section + rest.split(END, 1)[1]
else:
    page = page.rstrip("\n") + "\n\n" + section + "\n"
Path(readme).write_text(page, encoding="utf-8")
print(f"{readme}: run_all section rewritten ({len(benches)} benches, {total} s)")
EOF
