#!/bin/sh
# Exit 0 means on disk: a full-disk matrix of mail and event deliveries
#
# Each case copies a desk into a small private filesystem, leaves FREE
# bytes free and delivers one mail or one event. The only outcomes
# allowed: exit 0 with the message in HEAD, or exit 75 with HEAD
# unchanged; git fsck clean either way, and a 75 delivers fine once
# there is room again. Default: tmpfs, 0..300 KB in 4 KB (page) steps.
# RT_FULLDISK=ext4: a loop-mounted ext4 with 1 KB blocks, 1 KB steps
# (about 600 cases, a few minutes; needs root and a loop device).
. "$(dirname "$0")/lib.sh"

export RT_NOW=2026-11-23T10:00:00Z
FS=${RT_FULLDISK:-tmpfs}
STEP=4096 MAX=307200
[ "$FS" = ext4 ] && STEP=1024
[ -n "${RT_VALGRIND:-}" ] && STEP=32768

cat >matrix.sh <<\EOF
# matrix.sh FS TEMPLATE MNT STEP MAX: run in a private mount namespace.
# One line per case: "kind free exit in-head head fsck redelivery | stderr".
fs=$1 tpl=$2 mnt=$3 step=$4 max=$5
if [ "$fs" = ext4 ]; then
	truncate -s 8M "$mnt.img" && mkfs.ext4 -q -b 1024 -m 0 "$mnt.img" &&
	mount -o loop "$mnt.img" "$mnt" || exit 3
else
	mount -t tmpfs -o size=4m rtfull "$mnt" || exit 3
fi
deliver() {
	if [ $1 = mail ]; then
		printf 'From: a@example.com\nSubject: full %s\nMessage-Id: <%s@x>\n\n%s\n' \
		    $2 $2 $2 | rt-ingest -C "$mnt/desk" >/dev/null
	else
		printf '{"type":"message","channel":"C9","user":"U1","text":"%s","ts":"%s.1"}\n' \
		    $2 ${2##*-} | rt-ingest -C "$mnt/desk" --event >/dev/null
	fi
}
n=0
for kind in mail event; do
	free=0
	while [ $free -le $max ]; do
		n=$((n + 1)) key=case-$kind-$n
		rm -rf "$mnt/desk" "$mnt/fill" && cp -a "$tpl" "$mnt/desk" || exit 3
		fill=$(($(df -B1 --output=avail "$mnt" | tail -1) - free))
		# ext4 needs blocks for the filler's extents: shrink it until it fits.
		while [ $fill -gt 0 ] && ! fallocate -l $fill "$mnt/fill" 2>/dev/null; do
			rm -f "$mnt/fill"; fill=$((fill - 1024)); done
		got=$(($(df -B1 --output=avail "$mnt" | tail -1)))
		old=$(git -C "$mnt/desk" rev-parse HEAD)
		deliver $kind $key 2>err; rc=$?
		rm -f "$mnt/fill"
		[ "$(git -C "$mnt/desk" rev-parse HEAD)" = "$old" ] && head=unchanged || head=moved
		git -C "$mnt/desk" grep -q "$key" HEAD -- tickets && in=stored || in=absent
		git -C "$mnt/desk" fsck --strict --no-dangling >/dev/null 2>&1 && fsck=clean || fsck=broken
		again=-
		if [ $rc != 0 ]; then
			deliver $kind $key 2>/dev/null && git -C "$mnt/desk" grep -q "$key" HEAD -- tickets &&
			    again=stored || again=lost
		fi
		echo "$kind $got $rc $in $head $fsck $again | $(tr '\n' ' ' <err)"
		free=$((free + step))
	done
done
umount "$mnt"
EOF

if [ "$(id -u)" = 0 ]; then NS="unshare -m"; else NS="unshare -rm"; fi
mkdir mnt
if ! $NS sh -c 'mount -t tmpfs -o size=64k t "$1" && umount "$1"' sh "$PWD/mnt" 2>/dev/null; then
	test_skip 'full-disk matrix' "cannot mount a tmpfs here ($NS)"
	test_done
	exit
fi

test_expect_success 'a template desk with mail and events' '
	new_desk desk && cd .. &&
	for i in 1 2 3; do
		printf "From: a@example.com\nSubject: s%s\nMessage-Id: <t%s@x>\n\nx\n" $i $i |
		    rt-ingest -C desk >/dev/null || exit 1
	done &&
	printf "{\"type\":\"message\",\"channel\":\"C9\",\"user\":\"U1\",\"text\":\"t\",\"ts\":\"1.1\"}\n" |
	    rt-ingest -C desk --event >/dev/null
'

test_expect_success "full disk ($FS, 0..$MAX bytes free, steps of $STEP): only 0-stored or 75-unchanged" '
	$NS sh matrix.sh $FS "$PWD/desk" "$PWD/mnt" $STEP $MAX >cases 2>matrix.err &&
	test $(wc -l <cases) -ge $((2 * MAX / STEP)) &&
	grep -v -e "^[a-z]* [0-9]* 0 stored moved clean - |" \
	    -e "^[a-z]* [0-9]* 75 absent unchanged clean stored |" cases >bad;
	cat bad; test_cmp /dev/null bad &&
	grep -q "^mail [0-9]* 0 " cases && grep -q "^mail [0-9]* 75 " cases &&
	grep -q "^event [0-9]* 0 " cases && grep -q "^event [0-9]* 75 " cases
'

# The figures for the closing note, by outcome and by the reason given.
if [ -s cases ]; then
	say "# full-disk cases ($FS, steps of $STEP bytes), by outcome:"
	cut -d"|" -f1 cases | awk '{print $1, "exit", $3, $4, "HEAD", $5, "fsck", $6}' |
	    sort | uniq -c | sed "s/^/#   /"
	say "# of which the commit read back failed (libgit2 said it had written it):"
	grep -c "cannot be read back" cases | sed "s/^/#   /"
fi

test_done
