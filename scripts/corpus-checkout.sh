#!/bin/bash
# corpus-checkout.sh owner/name commit: restores a labelled repository from its fetched snapshot (MIRROR, default /work/.mirror)
# into REPOS/owner__name (default /work/repos) with every file of the commit (blobs the snapshot lacks skipped) and a
# .git marker at its top, as score-labels.mjs expects. A plain git archive would drop export-ignore files.
set -uo pipefail
repo=$1 commit=$2
m=${MIRROR:-/work/.mirror}/${repo/\//+}/repo
[[ -d $m/.git ]] && m=$m/.git
out=${REPOS:-/work/repos}/${repo/\//__}
[[ -f $out/.checked-$commit ]] && { echo "have $out"; exit 0; }
git --git-dir="$m" cat-file -e "$commit^{commit}" 2>/dev/null || { echo "NO COMMIT $commit in $repo" >&2; exit 2; }
rm -rf "$out"; mkdir -p "$out/.git"
if ! git --git-dir="$m" --work-tree="$out" -c core.longpaths=true checkout -f "$commit" -- . 2>/dev/null; then
  # per-file fallback: skip blobs the snapshot lacks
  git --git-dir="$m" ls-tree -r -z "$commit" | while IFS= read -r -d '' line; do
    meta=${line%%$'\t'*}; p=${line#*$'\t'}; set -- $meta
    [[ $2 == blob ]] || continue
    mkdir -p "$out/$(dirname "$p")"
    if [[ $1 == 120000 ]]; then git --git-dir="$m" cat-file blob "$3" 2>/dev/null | { read -r t; ln -sf "$t" "$out/$p"; }
    else git --git-dir="$m" cat-file blob "$3" > "$out/$p" 2>/dev/null || rm -f "$out/$p"; fi
  done
fi
# git checkout with --git-dir writes index into the mirror; harmless. keep marker dir
mkdir -p "$out/.git"; touch "$out/.checked-$commit"
echo "ok $out $(find "$out" -type f | wc -l) files"
