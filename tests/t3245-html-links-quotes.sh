#!/bin/sh
# An HTML-only mail (Gmail, Outlook) read as its text part would read:
# a link's address follows its text ("this screenshot <https://...>"),
# the quoted history in <blockquote> gets "> " (">> " a level deeper,
# and a reply quotes it ">> "), so rt-show, rt-reply --quote and the language guess see the
# customer's own words apart from what they quoted.
. "$(dirname "$0")/lib.sh"

new_desk desk || exit 1

test_expect_success 'setup: a customer answers in HTML only, quoting the desk' '
	printf "From: maria@customer.example\nTo: support@example.org\nSubject: VPN drops\nMessage-ID: <c1@customer.example>\n\nMy VPN drops every 10 minutes.\n" |
		rt-ingest >id &&
	{ printf "From: Maria Lopez <maria@customer.example>\nTo: support@example.org\n"
	  printf "Subject: Re: [Test #%s] VPN drops\nMessage-ID: <CAgmail1@mail.gmail.com>\n" $(cat id)
	  printf "MIME-Version: 1.0\nContent-Type: text/html; charset=UTF-8\nContent-Transfer-Encoding: quoted-printable\n\n"
	  cat <<-\EOF
	<div dir=3D"ltr">See <a href=3D"https://img.example/v.png?a=3D1&amp;b=3D2">this</a>=
	 and <a href=3D"https://status.example/">status.example</a>.<div><br></div><div>Maria</div></div><br>=
	<div class=3D"gmail_quote"><div dir=3D"ltr" class=3D"gmail_attr">On Wed, Test Desk &lt;<a href=3D"mailto:s=
	upport@example.org">support@example.org</a>&gt; wrote:<br></div><blockquote class=3D"gmail_quote" style=
	=3D"margin:0px 0px 0px 0.8ex">Please update to 4.3.<br><br>Test Desk<blockquote>older words</blockquote=
	></blockquote></div>
	EOF
	} | rt-ingest >id2 && test_cmp id id2
'
ID=$(cat id 2>/dev/null)

test_expect_success 'rt-show: link addresses after their text, the quote marked' '
	rt-show $ID >out && cat out &&
	sed -n "/^See this/,/^>> older words/p" out >got &&
	cat >expect <<-\EOF &&
	See this <https://img.example/v.png?a=1&b=2> and status.example.

	Maria

	On Wed, Test Desk <support@example.org> wrote:

	> Please update to 4.3.
	>
	> Test Desk
	>
	>> older words
	EOF
	test_cmp expect got
'

test_expect_success 'rt-reply --quote quotes the quote one level deeper' '
	echo "Thanks, we look into it." | rt-reply -n --quote $ID >raw &&
	python3 -c "import email, sys
print(email.message_from_binary_file(sys.stdin.buffer).get_payload(decode=True).decode())" <raw >mail &&
	cat mail &&
	grep -x ">> Please update to 4.3." mail &&
	grep -x ">>> older words" mail &&
	grep -x "> See this <https://img.example/v.png?a=1&b=2> and status.example." mail
'

test_done
