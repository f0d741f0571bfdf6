#!/bin/sh
# One durable mail waits for the disk three times in a row, not more: the
# pack, its index and the branch's new content (its lock file) together;
# the pack's folder; the branch's folder after the rename. Nothing names
# the pack before its folder is synced, and the lock is synced first.
. "$(dirname "$0")/lib.sh"

export RT_NOW=2026-11-23T10:00:00Z TZ=UTC
mail() { printf 'From: c%s@example.com\nSubject: waits %s\nMessage-Id: <w%s@x>\n%s\nbody %s\n' "$1" "$1" "$1" "${2:-}" "$1"; }
stored() { git grep -q "Message-Id: <w$1@x>" HEAD -- tickets; }

new_desk desk || exit 1
mail 0 | rt-ingest -q || exit 1
command -v strace >/dev/null && strace -f -o /dev/null true 2>/dev/null && test_set_prereq STRACE
trace() { LSAN_OPTIONS=detect_leaks=0 strace -f -e trace=openat,fsync,rename,close,clone,clone3 -o "$TRASH/st" "$@"; }

# order.awk: the syscalls of one mail as events in time order (strace -f
# lines finish out of order: "<unfinished ...>" counts where it started,
# and the lock's descriptor may come on its "resumed>" line)
cat >"$TRASH/order.awk" <<\AWK
/main\.lock", O_WRONLY\|O_CREAT\|O_EXCL/ { print "lock-open"
	if (/unfinished/) { lockpid = $1; next }
	sub(/.*= /, ""); lock = $1; next }
lockpid != "" && $1 == lockpid && /openat resumed>/ { sub(/.*= /, ""); lock = $1; lockpid = ""; next }
/fsync\(/ { fd = $0; sub(/.*fsync\(/, "", fd); sub(/[^0-9].*/, "", fd)
	if (fd == lock) print "lock-fsync"; else print "fsync"; next }
/rename\(.*tmp_pack_/ { print "pack-rename"; next }
/rename\(.*main\.lock"/ { print "ref-rename"; next }
/close\(/ { fd = $0; sub(/.*close\(/, "", fd); sub(/[^0-9].*/, "", fd); if (fd == lock) lock = -1; next }
/clone3?\(/ && !/resumed/ { print "thread"; next }
AWK

# waits.awk: "lock-fsync-first fsyncs-between fsyncs-after" for the commit:
# 1 when the lock was fsynced before the pack was named, then the number
# of fsyncs between the pack's rename and the ref's, and after the ref's
# up to the next thread or pack (a roll-up of packs is not the mail's)
cat >"$TRASH/waits.awk" <<\AWK
!p && /^lock-fsync/ { first = 1 }
/^pack-rename|^thread/ { if (r) exit }
/^pack-rename/ { p = 1; next }
/^ref-rename/ { r = 1; next }
/fsync/ && p && !r { mid++ }
/fsync/ && r { after++ }
END { print first + 0, mid + 0, after + 0 }
AWK

test_expect_success STRACE 'the lock is synced with the pack, before the pack is named' '
	mail 1 >"$TRASH/m1" && trace rt-ingest <"$TRASH/m1" >"$TRASH/id1" && stored 1 &&
	awk -f "$TRASH/order.awk" "$TRASH/st" >"$TRASH/ev" && cat "$TRASH/ev" &&
	awk -f "$TRASH/waits.awk" "$TRASH/ev" >"$TRASH/w" && echo "1 1 1" >"$TRASH/want" &&
	test_cmp "$TRASH/want" "$TRASH/w"
'

test_expect_success STRACE 'a follow-up waits the same way, on its ticket' '
	mail 2 "In-Reply-To: <w1@x>" >"$TRASH/m2" && trace rt-ingest <"$TRASH/m2" >"$TRASH/id2" &&
	stored 2 && test_cmp "$TRASH/id1" "$TRASH/id2" &&
	awk -f "$TRASH/order.awk" "$TRASH/st" >"$TRASH/ev" &&
	awk -f "$TRASH/waits.awk" "$TRASH/ev" >"$TRASH/w" && test_cmp "$TRASH/want" "$TRASH/w" &&
	git fsck --strict --no-dangling >"$TRASH/fsck" 2>&1 && test_cmp /dev/null "$TRASH/fsck"
'

test_done
