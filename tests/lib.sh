# tests/lib.sh: a small git-style test library producing TAP.
# Each tests/tNNNN-name.sh sources it, then calls test_expect_success.
#
#   test_expect_success 'desc' 'commands && chained'
#   test_expect_failure_code 75 'desc' 'command'   # exact exit status
#   test_cmp expect actual      test_must_fail cmd   test_when_finished 'cmd'
#   new_desk [DIR]              creates a desk and cds into it
#   mail_fixture NAME           path of a corpus mail (skips if absent)
set -u
TEST_NAME=$(basename "$0" .sh)
TEST_ROOT=$(cd "$(dirname "$0")" && pwd)
SRC_ROOT=$(cd "$TEST_ROOT/.." && pwd)
CORPUS=${RT_CORPUS:-$SRC_ROOT/../shared/corpus}
TRASH=${RT_TRASH:-$TEST_ROOT/trash}/$TEST_NAME
rm -rf "$TRASH" && mkdir -p "$TRASH" || exit 1
cd "$TRASH" || exit 1
export HOME="$TRASH" LC_ALL=C.UTF-8 TZ=UTC
# git must never find the project's own repository above the trash folder.
export GIT_CEILING_DIRECTORIES=$(dirname "$TRASH")
export GIT_CONFIG_NOSYSTEM=1 RT_LOCK_TIMEOUT=${RT_LOCK_TIMEOUT:-10}
unset RT_DESK RT_NOW
export RT_ACTOR="Test Agent <agent@example.org>"
git config --global user.name 'Test Agent'
git config --global user.email 'agent@example.org'
git config --global init.defaultBranch main

test_count=0 test_failures=0 test_skipped=0 _cleanup=

if [ -n "${RT_VALGRIND:-}" ]; then
	_vgdir="$TRASH/.valgrind"; mkdir -p "$_vgdir"
	for _b in "$RT_BUILD"/bin/*; do
		cat >"$_vgdir/$(basename "$_b")" <<VG
#!/bin/sh
exec valgrind -q --suppressions=$SRC_ROOT/tests/valgrind.supp --leak-check=full --errors-for-leak-kinds=definite --error-exitcode=99 "$_b" "\$@"
VG
		chmod +x "$_vgdir/$(basename "$_b")"
	done
	PATH="$_vgdir:$PATH"
fi

say() { printf '%s\n' "$*"; }

test_when_finished() { _cleanup="$1; $_cleanup"; }

_run() {
	_cleanup=
	( set +u; eval "$1" ) >"$TRASH/.out" 2>&1
	_rc=$?
	[ -n "$_cleanup" ] && ( eval "$_cleanup" ) >/dev/null 2>&1
	return $_rc
}

_report() {
	test_count=$((test_count + 1))
	if [ "$1" = 0 ]; then
		say "ok $test_count - $2"
	else
		test_failures=$((test_failures + 1))
		say "not ok $test_count - $2"
		sed 's/^/#   /' "$TRASH/.out" | tail -n 40
	fi
}

test_expect_success() {
	_run "$2"
	_report $? "$1"
}

# test_expect_code CODE 'desc' 'command': passes when command exits CODE.
test_expect_code() {
	_want=$1
	_run "$3"
	_rc=$?
	[ "$_rc" = "$_want" ] || echo "exit status $_rc, wanted $_want" >>"$TRASH/.out"
	[ "$_rc" = "$_want" ]
	_report $? "$2"
}

test_skip() {
	test_count=$((test_count + 1))
	test_skipped=$((test_skipped + 1))
	say "ok $test_count - $1 # SKIP ${2:-}"
}

test_cmp() { diff -u "$1" "$2"; }

# Fails unless the command exits non-zero by itself (not by a signal).
test_must_fail() {
	"$@"
	_rc=$?
	if [ $_rc -eq 0 ]; then echo "test_must_fail: '$*' succeeded"; return 1; fi
	if [ $_rc -gt 128 ] && [ $_rc -ne 255 ]; then echo "test_must_fail: '$*' died of signal $((_rc - 128))"; return 1; fi
	return 0
}

new_desk() {
	_d=${1:-desk}
	rt-init --name "Test Desk" --tag Test --address support@example.org "$_d" >/dev/null &&
	cd "$_d"
}

mail_fixture() { printf '%s\n' "$CORPUS/mail/$1"; }

test_done() {
	say "1..$test_count"
	[ "$test_failures" = 0 ] && rm -rf "$TRASH"
	[ "$test_failures" = 0 ]
}
