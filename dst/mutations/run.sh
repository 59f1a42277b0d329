#!/bin/bash
# Shows that every named invariant catches a bug: for each patch here (one
# deliberate bug in the core, named after the invariant that must catch it),
# apply it, run the detector, check that the output names that invariant,
# and revert the patch (also on failure or Ctrl-C).
#
#   dst/mutations/run.sh              # every mutation
#   dst/mutations/run.sh min_replicas_respected
#
# Needs a clean worktree for the patched files. Debug builds; a few minutes
# in all on two cores. See dst/README.md for what each mutation is.
set -u
cd "$(dirname "$0")/../.."
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-target}

# The command that must report the invariant (default: a small campaign).
detector() {
    case "$1" in
        deterministic)
            cargo test -q -p replscope-dst --test bounded the_same_seed_gives_the_same_event_hash 2>&1 ;;
        replicas_converge)
            cargo run -q -p replscope-dst -- check dst/regressions/master-restart-feeds-del-for-expired-keys.json 2>&1 ;;
        *)
            cargo run -q -p replscope-dst -- campaign --seeds 3000 --jobs 2 --max-failures 1 --shrink-budget 60 2>&1 ;;
    esac
}

status=0
for patch in dst/mutations/*.patch; do
    variant=$(basename "$patch" .patch)   # <invariant>[.<variant>]
    name=${variant%%.*}
    [ $# -gt 0 ] && [[ " $* " != *" $name "* ]] && [[ " $* " != *" $variant "* ]] && continue
    git apply "$patch" && sleep 1 && git apply --numstat "$patch" | cut -f3 | xargs touch || { echo "$variant: patch does not apply (re-make it by hand, see dst/README.md)"; status=1; continue; }
    trap 'git apply -R "$patch"; exit 130' INT TERM
    out=$(detector "$name")
    git apply -R "$patch"
    # Cargo compares mtimes; on a filesystem with coarse timestamps a file
    # reverted in the same second as the build would look unchanged and the
    # mutated build would be reused. Make the revert newer for sure.
    sleep 1
    git apply --numstat "$patch" | cut -f3 | xargs touch
    trap - INT TERM
    # The violation as the runner prints it (`<name>: <detail>`), or as the
    # determinism test's assertion shows it (`name: "<name>"`).
    if grep -q -e "$name: " -e "name: \"$name\"" <<<"$out"; then
        echo "caught    $variant: $(grep -m1 -e "$name: " -e "name: \"$name\"" <<<"$out" | cut -c1-220)"
    else
        echo "MISSED    $variant"
        tail -5 <<<"$out"
        status=1
    fi
done
exit $status
