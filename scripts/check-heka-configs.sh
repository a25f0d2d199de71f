#!/usr/bin/env bash
# Runs `hekad -check` over every TOML file of a Heka 0.10 source tree and
# every TOML block (`.. code-block:: ini` / `toml`) of its documentation,
# and sorts the errors: a Heka plugin this build does not have yet (named
# as such by hekad), or anything else. The "anything else" lines are those
# docs/heka-differences.md ("Heka's own configurations") must explain.
#
# Usage: scripts/check-heka-configs.sh HEKA_TREE [HEKAD]
#   HEKA_TREE  a checkout of github.com/mozilla-services/heka at v0.10.0
#   HEKAD      the hekad binary (default: bin/hekad, built by `make build`)
set -euo pipefail
tree=${1:?usage: $0 HEKA_TREE [HEKAD]}
hekad=${2:-bin/hekad}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

n=0
while IFS= read -r f; do
  n=$((n + 1))
  cp "$f" "$work/file$n.toml"
  echo "${f#"$tree"/}" > "$work/file$n.src"
done < <(find "$tree" -name '*.toml' -not -path '*/.git/*' | sort)
files=$n

blocks=0
while IFS= read -r rst; do
  # A block starts after ".. code-block:: ini|toml" and holds the indented
  # lines (and blank lines) that follow.
  awk -v out="$work/block" -v src="${rst#"$tree"/}" -v start="$blocks" '
    function flush() { if (open && body != "") { k++; f = out (start + k); print body > (f ".toml"); print src > (f ".src"); close(f ".toml"); close(f ".src") } open = 0; body = "" }
    /^\.\. code-block:: *(ini|toml)/ { flush(); open = 1; next }
    open && /^[ \t]/ { sub(/^    /, ""); body = body $0 "\n"; next }
    open && /^$/ { if (body != "") body = body "\n"; next }
    open { flush() }
    END { flush(); print k + 0 > (out ".count") }
  ' "$rst"
  blocks=$((blocks + $(cat "$work/block.count")))
done < <(find "$tree/docs" -name '*.rst' | sort)

missing=0 other=0
for cfg in "$work"/file*.toml "$work"/block*.toml; do
  [ -e "$cfg" ] || continue
  src=$(cat "${cfg%.toml}.src")
  out=$("$hekad" -check -config "$cfg" 2>&1 >/dev/null || true)
  while IFS= read -r line; do
    [ -n "$line" ] || continue
    case "$line" in
      *"is a Heka 0.10 plugin that this build of hekad does not have yet"*) missing=$((missing + 1)) ;;
      *) other=$((other + 1)); echo "$src: ${line#*"$cfg"}" ;;
    esac
  done <<< "$out"
done
echo "== $files TOML files, $blocks documentation blocks: $missing errors name a Heka plugin not built yet, $other other errors (listed above)"
