# tests/lib.sh: a small git-style test library producing TAP.
# Each tests/tNNNN-name.sh sources it, runs its tests, then calls test_done.
#
#   test_expect_success [PREREQ] 'desc' 'commands && chained'
#   test_expect_code CODE [PREREQ] 'desc' 'command'   exact exit status
#   test_skip 'desc' 'why'       reports a skipped test
#   test_set_prereq NAME         test_have_prereq NAME[,NAME...]
#   test_lazy_prereq NAME 'cmd'  NAME set if cmd succeeds, run when first asked
#       PREREQ is a comma-separated list; !NAME means "NAME is missing".
#       Set here: CORPUS (../shared/corpus or $RT_CORPUS), ROOT,
#       OTHER_USERS (root may run the build as nobody),
#       SYSTEM_USERS (OTHER_USERS, and CI=true or RT_TEST_SYSTEM_USERS=1),
#       PROCMAIL, SMTP_SINK, PYYAML, BASH, LIGHTTPD (and curl), CHROMIUM,
#       OCR (tesseract with English).
#   test_cmp EXPECT ACTUAL       test_must_fail CMD...
#   test_when_finished 'cmd'     runs after the current test, pass or fail
#   test_atexit 'cmd'            runs when the script exits (servers, users)
#   test_lock_system_users       waits for, then holds till the script ends,
#                                the machine-wide lock of scripts that add
#                                or remove system users (files run at once)
#   test_done                    ends the script; fails it when a process with
#                                the trash folder in its arguments still runs
#   sanitized_build              true when the binaries are the ASan+UBSan build
#   new_desk [DIR]               creates a desk and cds into it
#   mail_fixture NAME            path of a vendored mail (tests/fixtures/mail)
#   event_fixture NAME           path of a vendored event (tests/fixtures/events)
#   ticket_dir ID [DESK]         the ticket's folder in the desk (any format)
#   quarantined ERRFILE          the kept file (quarantine/YYYY-MM/ID.eml) of
#                                the entry rt-ingest's last refusal there names
#   fast_import [GIT-OPTION...]  git fast-import --quiet of stdin, quickly
#   start_lighttpd DESK          lighttpd with share/web/lighttpd.conf serving
#                                rt-web at $WEB/rt for DESK (stopped at exit)
#   complete_words WORD...       what bash completion (completions/rt.bash)
#                                makes of the last word, as interactive bash
#                                splits the line and readline inserts
#
# Every test runs with a pinned clock: TZ=UTC and RT_NOW=$TEST_NOW, a
# Wednesday at 10:00 UTC (office hours everywhere); a test that needs
# another time sets RT_NOW itself.
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
unset RT_DESK
TEST_NOW=2026-11-25T10:00:00Z
export RT_NOW=$TEST_NOW
export RT_ACTOR="Test Agent <agent@example.org>"
printf '[user]\n\tname = Test Agent\n\temail = agent@example.org\n[init]\n\tdefaultBranch = main\n' >"$HOME/.gitconfig"

test_count=0 test_failures=0 test_skipped=0 _setup_failed=
FIXTURES=$TEST_ROOT/fixtures

_prereqs=" "
test_set_prereq() { _prereqs="$_prereqs$1 "; }
# test_lazy_prereq NAME 'command': NAME is set if command succeeds, run
# the first time a test asks for NAME (checks that start a process only
# a few scripts need).
_lazy=" "
test_lazy_prereq() { _lazy="$_lazy$1 "; eval "_lazy_$1=\$2"; }
_decide_lazy() { # _decide_lazy NAME
	case $_lazy in *" $1 "*) ;; *) return 0 ;; esac
	_lazy="${_lazy%%" $1 "*} ${_lazy#*" $1 "}"
	eval "_cmd=\$_lazy_$1"
	(eval "$_cmd") >/dev/null 2>&1 && test_set_prereq "$1"
	return 0
}
# test_have_prereq A,!B: true when A is set and B is not.
test_have_prereq() {
	_ifs=$IFS; IFS=,; set -- $1; IFS=$_ifs
	for _p; do
		_decide_lazy "${_p#!}"
		case $_p in
		!*) case $_prereqs in *" ${_p#!} "*) return 1 ;; esac ;;
		*) case $_prereqs in *" $_p "*) ;; *) return 1 ;; esac ;;
		esac
	done
	return 0
}
[ -d "$CORPUS/mail" ] && test_set_prereq CORPUS
[ "$(id -u)" = 0 ] && test_set_prereq ROOT
# OTHER_USERS: root can run the built binaries as another user, which a
# checkout under a private folder (mode 0700, as mktemp -d makes) forbids.
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null && id nobody >/dev/null 2>&1 &&
   setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups \
	test -x "$RT_BUILD/bin/rt-ingest" -a -r "$SRC_ROOT/share" -a -x "$TRASH" 2>/dev/null; then
	test_set_prereq OTHER_USERS
fi
if test_have_prereq OTHER_USERS && { [ "${CI:-}" = true ] || [ "${RT_TEST_SYSTEM_USERS:-}" = 1 ]; } &&
   command -v useradd >/dev/null; then
	test_set_prereq SYSTEM_USERS
fi
# Debian's python3 (python3-yaml from .ci/deps.sh) before a version
# manager's shim: a pyenv shim is bash scripts around every start, 10x
# python's own (53 s against 5.3 s for ten starts on a loaded host), and
# every script starts python at least once.
if [ -x /usr/bin/python3 ] && [ "$(command -v python3)" != /usr/bin/python3 ]; then
	mkdir -p "$TRASH/.bin" && ln -s /usr/bin/python3 "$TRASH/.bin/python3" &&
	    PATH="$TRASH/.bin:$PATH"
fi
command -v procmail >/dev/null && test_set_prereq PROCMAIL
[ -x /usr/sbin/smtp-sink ] && test_set_prereq SMTP_SINK
test_lazy_prereq PYYAML 'python3 -c "import yaml"'
command -v bash >/dev/null && test_set_prereq BASH
[ -x /usr/sbin/lighttpd ] && command -v curl >/dev/null && test_set_prereq LIGHTTPD
command -v chromium >/dev/null && test_set_prereq CHROMIUM
test_lazy_prereq OCR 'tesseract --list-langs 2>/dev/null | grep -qx eng'

# Test bodies run in a subshell, so both cleanup lists live in files.
# test_when_finished 'cmd': runs after the current test, pass or fail.
test_when_finished() { printf '(cd "%s" && %s)\n' "$(pwd)" "$1" | cat - "$TRASH/.cleanup" >"$TRASH/.cleanup+" 2>/dev/null; mv "$TRASH/.cleanup+" "$TRASH/.cleanup"; }
# test_atexit 'cmd': runs when the script ends, however it ends.
test_atexit() { printf '(cd "%s" && %s)\n' "$(pwd)" "$1" | cat - "$TRASH/.atexit" >"$TRASH/.atexit+" 2>/dev/null; mv "$TRASH/.atexit+" "$TRASH/.atexit"; }
_run_list() { # _run_list FILE: runs and removes a cleanup list
	[ -f "$1" ] || return 0
	mv "$1" "$1.run" && ( set +u; . "$1.run" ) >/dev/null 2>&1
	rm -f "$1.run"
}
trap '_rc=$?; _run_list "$TRASH/.atexit"; exit $_rc' EXIT
trap 'exit 130' INT TERM HUP

if [ -n "${RT_VALGRIND:-}" ]; then
	# counts of calls and the order of starts mean nothing under valgrind
	test_set_prereq VALGRIND
	_vgdir="$TRASH/.valgrind"; mkdir -p "$_vgdir"
	for _b in "$RT_BUILD"/bin/*; do
		cat >"$_vgdir/$(basename "$_b")" <<VG
#!/bin/sh
# valgrind itself needs 0-2 open (a mailer runs rt with stderr closed): the
# command's own /dev/null for them (cli_std_fds) is not tested under valgrind
for _fd in 0 1 2; do [ -e /proc/\$\$/fd/\$_fd ] || eval "exec \$_fd<>/dev/null"; done
exec valgrind -q --suppressions=$SRC_ROOT/tests/valgrind.supp --leak-check=full --errors-for-leak-kinds=definite --error-exitcode=99 "$_b" "\$@"
VG
		chmod +x "$_vgdir/$(basename "$_b")"
	done
	PATH="$_vgdir:$PATH"
fi

# test_lock_system_users: the users and groups a script adds (rtmail,
# rtdesk) are the machine's, and a script removes at its end what it
# added, so no two such scripts may overlap, whichever run (plain, ASan,
# another checkout) they belong to. The lock (descriptor 8) is held until
# the script exits.
test_lock_system_users() {
	exec 8>>/tmp/rt-tests-system-users.lock
	flock 8
}

# test_mail_user: the mail user rtmail in its group rtdesk, as the README
# sets them up, made when missing (after test_lock_system_users) and
# removed again when the script ends.
test_mail_user() {
	getent group rtdesk >/dev/null || { groupadd rtdesk && test_atexit "groupdel rtdesk"; } || return 1
	id rtmail >/dev/null 2>&1 || { useradd -M -N -g rtdesk -s /bin/sh rtmail && test_atexit "userdel rtmail"; }
}

say() { printf '%s\n' "$*"; }

_run() {
	( set +u; eval "$1" ) >"$TRASH/.out" 2>&1
	_rc=$?
	_run_list "$TRASH/.cleanup"
	return $_rc
}

_report() {
	test_count=$((test_count + 1))
	if [ "$1" = 0 ]; then
		say "ok $test_count - $2"
	else
		test_failures=$((test_failures + 1))
		say "not ok $test_count - $2"
		[ -n "$_setup_failed" ] && say "#   (after the failed setup: $_setup_failed)"
		sed 's/^/#   /' "$TRASH/.out" | tail -n 40
		case $2 in setup*) _setup_failed=${_setup_failed:-$test_count - $2} ;; esac
	fi
}

# _missing PREREQ DESC: reports DESC as skipped unless PREREQ holds.
_missing() {
	test_have_prereq "$1" && return 1
	test_skip "$2" "missing $1"
}

test_expect_success() {
	if [ $# = 3 ]; then _missing "$1" "$2" && return 0; shift; fi
	_run "$2"
	_report $? "$1"
}

# test_expect_code CODE [PREREQ] 'desc' 'command': passes when command exits CODE.
test_expect_code() {
	_want=$1; shift
	if [ $# = 3 ]; then _missing "$1" "$2" && return 0; shift; fi
	_run "$2"
	_rc=$?
	[ "$_rc" = "$_want" ] || echo "exit status $_rc, wanted $_want" >>"$TRASH/.out"
	[ "$_rc" = "$_want" ]
	_report $? "$1"
}

test_skip() {
	test_count=$((test_count + 1))
	test_skipped=$((test_skipped + 1))
	say "ok $test_count - $1 # SKIP ${2:-}"
}

test_cmp() { diff -u "$1" "$2"; }

# sanitized_build: the binaries under test are the ASan+UBSan build (they
# call its runtime, whether libasan is linked shared or static).
sanitized_build() { grep -q __asan_init "$(command -v rt-ingest)" 2>/dev/null; }

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
	cd "$_d" &&
	# never hand a test's mail to this machine's MTA: a stand-in keeps it
	printf '#!/bin/sh\ncat >>"%s/sent-mail"\n' "$TRASH" >"$TRASH/sendmail-standin" &&
	chmod +x "$TRASH/sendmail-standin" &&
	sed -i "s|mailer: 'sendmail:///usr/sbin/sendmail'|mailer: 'sendmail://$TRASH/sendmail-standin'|" rt.yaml &&
	git commit -qm "test desk: sendmail stand-in" rt.yaml
}

# exec_on_open CMD: the desk's workflow runs CMD (an exec:) when a ticket
# opens, and one ticket, resolved, waits for a reply: $ID (rt-gc'd, so the
# next change starts from a clean index)
exec_on_open() {
	printf 'workflows:\n  default:\n    on:\n      open:\n        exec: %s\n' "$1" >>rt.yaml &&
	git commit -qm "exec: on open" rt.yaml &&
	ID=$(printf 'From: c@example.com\nTo: support@example.org\nSubject: help\nMessage-Id: <h@x>\n\nhi\n' | rt-ingest) &&
	rt-set $ID status=resolved >/dev/null && rt-gc -q
}

# bulk_mbox FIRST LAST [LINES]: an mbox of new-ticket mails FIRST..LAST,
# mail i with its own word okapiword<i>, LINES more body lines (default
# 0) and a last line END-<i>
bulk_mbox() {	# one awk, not a seq per mail: 2,500 mails took a minute of forks
	awk -v first="$1" -v last="$2" -v lines="${3:-0}" 'BEGIN {
		for (i = first; i <= last; i++) {
			printf "From MAILER-DAEMON Mon Nov 23 10:00:00 2026\n"
			printf "From: c%s@example.com\nSubject: bulk %s\nMessage-Id: <b%s@x>\n\n", i, i, i
			printf "a body with okapiword%s in it\n", i
			for (l = 1; l <= lines; l++)
				printf "line %s of mail %s\n", l, i
			printf "END-%s\n\n", i
		} }'
}

# sendmail_recorder: $TRASH/sendmail, a program mailer that keeps each
# message as $SM_DIR/msg.N and its arguments in $SM_ARGS, and exits 75
# (the mailer's "try again") while $SM_DIR/fail exists. Exports SM_DIR
# and SM_ARGS.
sendmail_recorder() {
	cat >"$TRASH/sendmail" <<'SH'
#!/bin/sh
[ -f "$SM_DIR/fail" ] && { cat >/dev/null; exit 75; }
printf '%s\n' "$@" >>"$SM_ARGS"
cat >"$SM_DIR/msg.$(ls "$SM_DIR" | grep -c '^msg\.')"
SH
	chmod +x "$TRASH/sendmail"
	SM_DIR="$TRASH/sm" SM_ARGS="$TRASH/sm.args"
	export SM_DIR SM_ARGS
	mkdir -p "$SM_DIR"
}

# free_port: a TCP port of 127.0.0.1 that nothing listens on now (the
# kernel's choice of an ephemeral port), for servers a test configures
# before it starts them and so cannot retry on another port.
free_port() {
	python3 -c 'import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# start_sink DIR [smtp-sink options]: a real SMTP server (postfix's
# smtp-sink) on a free port of 127.0.0.1, keeping each message in DIR;
# sets PORT and SPID, and is stopped when the script ends.
SINK=${SINK:-/usr/sbin/smtp-sink}
start_sink() {
	_dir=$1; shift
	mkdir -p "$_dir"
	for _try in 1 2 3 4 5 6 7 8 9 10; do
		PORT=$(( 20000 + ($$ * 31 + _try * 977 + $(date +%N | sed "s/^0*//;s/^$/0/") % 1000) % 40000 ))
		$SINK -u "$(id -un)" "$@" -d "$_dir/%M." 127.0.0.1:$PORT 10 2>>"$TRASH/sink.log" &
		SPID=$!
		test_atexit "kill $SPID 2>/dev/null"
		sleep 0.3
		kill -0 $SPID 2>/dev/null && return 0
	done
	return 1
}
# received DIR: the dump of the one message received in DIR (waits up to
# 10 s: postfix's smtp-sink writes after the client has gone, late on a
# loaded host).
received() {
	_i=0
	while [ $_i -lt 50 ]; do
		_i=$((_i + 1))
		_f=$(ls "$1"/* 2>/dev/null | head -n 1)
		[ -n "$_f" ] && [ -s "$_f" ] && { sleep 0.1; echo "$_f"; return 0; }
		sleep 0.2
	done
	return 1
}

# complete_words WORD...: what bash completion makes of the last word, one
# candidate a line, as an interactive bash calls it: the line is split
# into COMP_WORDS at the "=" and ":" of COMP_WORDBREAKS ("status=o" is
# "status" "=" "o", "status=" is "status" "="), COMP_LINE and COMP_POINT
# are set, and readline replaces only what follows the word's last "=" or
# ":", so each candidate is printed after that part of the word.
complete_words() {
	bash -c '
	src=$1; shift
	. "$src/completions/rt.bash" || exit 1
	COMP_LINE="$*" COMP_POINT=${#COMP_LINE} COMP_WORDS=()
	for w in "$@"; do
		cut=0
		while [[ $w =~ ^([^=:]*)([=:]+)(.*)$ ]]; do
			[[ -n ${BASH_REMATCH[1]} ]] && COMP_WORDS+=("${BASH_REMATCH[1]}")
			COMP_WORDS+=("${BASH_REMATCH[2]}")
			w=${BASH_REMATCH[3]} cut=1
		done
		[[ -n $w || $cut = 0 ]] && COMP_WORDS+=("$w")
	done
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	last=${!#}
	pre=${last%"${last##*[=:]}"}
	f=$(complete -p "$1" | sed "s/.*-F \([^ ]*\).*/\1/")
	$f
	for r in "${COMPREPLY[@]}"; do printf "%s%s\n" "$pre" "$r"; done' _ "$SRC_ROOT" "$@"
}

# ticket_dir ID [DESK]: the folder of ticket ID relative to the desk's root
# (DESK, default the current folder): tickets/K/7/M/ID, or tickets/K7/M2/ID
# on a format-1 desk. Tests use it (or rt-show/rt-ls), never spelled paths.
# Shell expansions only, no cat or cut: the sync checks call it for every
# ticket of every clone, and 9 processes a call took 0.1-0.3 s on CI's
# loaded host.
ticket_dir() {
	_tf=1; [ -f "${2:-.}/.rt/format" ] && { read -r _tf <"${2:-.}/.rt/format" || :; }
	_t1=${1#?} _t2=${1#??} _t3=${1#???} _t4=${1#????}
	if [ "$_tf" -ge 2 ] 2>/dev/null; then
		printf 'tickets/%s/%s/%s/%s\n' "${1%"$_t1"}" "${_t1%"$_t2"}" "${_t2%"$_t3"}" "$1"
	else
		printf 'tickets/%s/%s/%s\n' "${1%"$_t2"}" "${_t2%"$_t4"}" "$1"
	fi
}

# quarantined ERRFILE: the kept file of the quarantine entry whose id the
# last "kept in quarantine as ID" line in ERRFILE names
quarantined() {
	_q=$(sed -n 's/.*kept in quarantine as \([^) ]*\)).*/\1/p' "$1" | tail -n 1) &&
	test -n "$_q" && printf 'quarantine/%s-%s/%s.eml\n' "$(printf %s "$_q" | cut -c1-4)" \
	    "$(printf %s "$_q" | cut -c5-6)" "$_q"
}

# start_lighttpd DESK [USER]: a real lighttpd on a free port of 127.0.0.1
# with the example configuration (share/web/lighttpd.conf, its two paths
# set) and $TRASH/htdocs as document root; rt-web runs with this script's
# clock and settings, plus what $TRASH/web-env sets (sourced per request).
# With USER (as root), lighttpd drops to USER and its groups as Debian's
# does for www-data. Sets WEB (http://127.0.0.1:PORT) and LPID; lighttpd
# is stopped when the script ends.
start_lighttpd() {
	_ld=$TRASH/lighttpd; mkdir -p "$_ld" "$TRASH/htdocs"
	_luser=
	if [ -n "${2:-}" ]; then
		chown "$2" "$_ld" || return 1
		_luser="server.username = \"$2\"
server.groupname = \"$(id -gn "$2")\""
	fi
	cat >"$_ld/rt-web" <<EOW
#!/bin/sh
export RT_NOW=$RT_NOW TZ=UTC LC_ALL=C.UTF-8 HOME='$HOME' GIT_CONFIG_NOSYSTEM=1 \
    GIT_CEILING_DIRECTORIES='$GIT_CEILING_DIRECTORIES' RT_LOCK_TIMEOUT=$RT_LOCK_TIMEOUT \
    RT_SHAREDIR='${RT_SHAREDIR:-}' PATH='$PATH'
[ -f '$TRASH/web-env' ] && . '$TRASH/web-env'
exec '$(command -v rt-web)'
EOW
	chmod +x "$_ld/rt-web"
	sed -e "s|^var.rt_web = .*|var.rt_web = \"$_ld/rt-web\"|" \
	    -e "s|^var.rt_desk = .*|var.rt_desk = \"$(cd "$1" && pwd)\"|" \
	    "$SRC_ROOT/share/web/lighttpd.conf" >"$_ld/rt-web.conf"
	grep -q "rt_web = \"$_ld" "$_ld/rt-web.conf" || return 1
	for _try in 1 2 3 4 5 6 7 8 9 10; do
		_port=$(( 20000 + ($$ * 37 + _try * 1009 + $(date +%N | sed "s/^0*//;s/^$/0/") % 1000) % 40000 ))
		cat >"$_ld/lighttpd.conf" <<EOC
server.document-root = "$TRASH/htdocs"
server.bind = "127.0.0.1"
server.port = $_port
server.errorlog = "$_ld/error.log"
server.breakagelog = "$_ld/cgi.log"
$_luser
include "$_ld/rt-web.conf"
EOC
		/usr/sbin/lighttpd -D -f "$_ld/lighttpd.conf" 2>>"$_ld/start.log" &
		LPID=$!
		test_atexit "kill $LPID 2>/dev/null"
		for _i in 1 2 3 4 5 6 7 8 9 10; do
			kill -0 $LPID 2>/dev/null || break
			if curl -s -o /dev/null "http://127.0.0.1:$_port/"; then
				WEB=http://127.0.0.1:$_port
				return 0
			fi
			sleep 0.1
		done
		kill $LPID 2>/dev/null; wait $LPID 2>/dev/null
	done
	return 1
}

# fast_import [GIT-OPTION...]: git fast-import --quiet of stdin. By
# glibc's default trim threshold fast-import hands its zlib state's heap
# top back to the kernel after every object and takes it again for the
# next (4 brk calls an object, ~150 us each on CI's virtual machines):
# 5,000 tiny blobs took 8.3 s of which 3.9 s system time, 0.1 s so.
fast_import() { GLIBC_TUNABLES=glibc.malloc.trim_threshold=33554432 git "$@" fast-import --quiet; }

mail_fixture() { printf '%s\n' "$FIXTURES/mail/$1"; }
event_fixture() { printf '%s\n' "$FIXTURES/events/$1"; }

# Processes still running with this script's trash folder in their
# arguments (a server it started and did not stop).
_leftovers() { ps -eo pid=,args= | T="$TRASH/" awk 'index($0, ENVIRON["T"])'; }

test_done() {
	_run_list "$TRASH/.atexit"
	if [ -n "$(_leftovers)" ]; then
		sleep 1
		if [ -n "$(_leftovers)" ]; then
			{ echo "left running (now stopped):"; _leftovers; } >"$TRASH/.out"
			kill $(_leftovers | awk '{ print $1 }') 2>/dev/null
			_report 1 "the script stopped every process it started"
		fi
	fi
	say "1..$test_count"
	[ "$test_failures" = 0 ] && rm -rf "$TRASH"
	[ "$test_failures" = 0 ]
}
