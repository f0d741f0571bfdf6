#!/bin/sh
# The rt demo: create a desk, ingest sample mail, route, reply, escalate,
# report, and show the audit trail. Usage: demo.sh [DIR] (default: a new
# temporary folder). Mail is "sent" to a file, not to the world.
set -e
here=$(cd "$(dirname "$0")" && pwd)
desk=${1:-$(mktemp -d /tmp/rt-demo.XXXXXX)/desk}
export RT_ACTOR="Demo Agent <agent@demo.example>"
have() { command -v "$1" >/dev/null 2>&1; }
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "rt-init $desk"
rt-init --name "Demo Support" --tag Demo --address support@demo.example "$desk"
cd "$desk"
# Outgoing mail goes to a local script that files it under .git/rt/outbox.
mkdir -p .git/rt/outbox
cat >.git/rt/sendmail <<'SM'
#!/bin/sh
cat >"$(dirname "$0")/outbox/$(date +%s%N).eml"
SM
chmod +x .git/rt/sendmail
# The desk: section rt-init wrote, then the demo's queues, rules and SLAs.
sed -n '1,/^$/p' rt.yaml | sed "s|mailer: .*|mailer: 'sendmail://$PWD/.git/rt/sendmail'|" >rt.new
cat "$here/rt.yaml" >>rt.new && mv rt.new rt.yaml
git -c user.name="Demo Agent" -c user.email=agent@demo.example commit -q -m "demo: queues, routing, SLA and escalation" rt.yaml

step "rt-ingest: four sample mails (German, English, a follow-up)"
for m in "$here"/mail/0[1-4]-*.eml; do
	printf '%-28s -> ' "$(basename "$m")"
	rt-ingest <"$m" || true
done | tee ingest.out
ids=$(awk '{ print $3 }' ingest.out | sort -u)

if have rt-route; then
	step "rt-route: queue, priority, owner"
	echo "$ids" | rt-route --explain || true
fi
if have rt-reply; then
	step "rt-reply --template ack: acknowledgements"
	echo "$ids" | rt-reply --template ack || true
	for f in .git/rt/outbox/*; do grep -m1 '^Subject:' "$f"; done | sed 's/^/sent: /'
	# An out-of-office answers the German acknowledgement, as mail clients
	# do: In-Reply-To its Message-Id, its Subject quoted. rt-ingest keeps it
	# on that ticket as a bounce event: no new ticket, nothing else changes.
	ack=$(grep -l '^Subject: .*Ihre Anfrage' .git/rt/outbox/* | head -n 1)
	if [ -n "$ack" ]; then
		step "rt-ingest: an auto-reply to that acknowledgement"
		mid=$(sed -n 's/^Message-I[Dd]: *//p' "$ack" | head -n 1)
		printf '%-28s -> ' 05-autoreply.eml
		# the acknowledgement's Subject with its folded lines, as quoted
		awk -v mid="$mid" '
		NR == FNR { if ($0 == "") h = 1; else if (!h && /^Subject:/) { s = $0; f = 1 }
			else if (!h && f && /^[ \t]/) s = s $0; else f = 0; next }
		/^Subject:/ { sub(/^Subject: */, "", s); print "Subject: Automatic reply: " s; next }
		/^Message-Id:/ { print; print "In-Reply-To: " mid; next }
		{ print }' "$ack" "$here/mail/05-autoreply.eml" | rt-ingest || true
	fi
fi
if have rt-escalate; then
	step "rt-escalate: the cron sweep, two hours later"
	rt-escalate --now "$(date -u -d '+2 hours' +%Y-%m-%dT%H:%M:%SZ)" || true
	rt-escalate --clocks $ids || true
fi
if have rt-ls; then
	step "rt-ls"
	rt-ls
fi
if have rt-report; then
	step "rt-report"
	rt-report || true
	rt-report --html >report.html 2>/dev/null && echo "HTML report: $desk/report.html" || true
fi
step "git log: the audit trail"
git log --format='%h %<(22,trunc)%an %s' | cat
step "rt-gc, then git status"
# Commands journal the index; rt-gc (cron) brings it up to date, see rt-desk(5).
rt-gc -q
if [ -z "$(git status --porcelain --untracked-files=no)" ]; then
	echo "(clean)"
else
	git status --short --untracked-files=no | head
	echo "git status is not clean after rt-gc" >&2
	exit 1
fi
echo
echo "The desk is in $desk"
