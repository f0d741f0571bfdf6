# bash completion for rt: the dispatcher and every rt-* command.
# Commands: rt rt-init rt-ingest rt-route rt-reply rt-escalate rt-report
#           rt-ls rt-show rt-set rt-comment rt-take rt-link rt-merge rt-gc
#           rt-new rt-quarantine rt-sync rt-web rt-archive
# Options come from each command's --help; ticket ids, queues, owners and
# templates from the desk the command would use.

# Interactive bash splits the line at the characters of COMP_WORDBREAKS,
# "=" and ":" among them: "status=o" arrives as "status" "=" "o",
# "--desk=DIR" as "--desk" "=" "DIR". _rt_words joins such pieces again
# as they were typed, into _rt_w (the words) and _rt_cw (the current one);
# readline still replaces only what follows the last "=" or ":" of the
# word, so _rt_trim cuts that part off every answer.
_rt_words() {
	local i w line=$COMP_LINE join=0 j=-1
	_rt_w=() _rt_cw=0
	for ((i = 0; i < ${#COMP_WORDS[@]}; i++)); do
		w=${COMP_WORDS[i]}
		# a piece glues to the one before when no blank parts them and
		# either of them is a run of "=" or ":"
		if ((j >= 0)) && [[ $line != [[:blank:]]* ]] &&
		    { ((join)) || [[ -n $w && $w != *[!=:]* ]]; }; then
			_rt_w[j]+=$w
		else
			_rt_w[++j]=$w
		fi
		[[ -n $w && $w != *[!=:]* ]] && join=1 || join=0
		line=${line#"${line%%[![:blank:]]*}"}
		line=${line#"$w"}
		((i == COMP_CWORD)) && _rt_cw=$j
	done
}

_rt_trim() {
	local c pre= p r out=()
	for c in = :; do
		[[ $COMP_WORDBREAKS == *"$c"* && $1 == *"$c"* ]] || continue
		p=${1%"${1##*"$c"}"}
		((${#p} > ${#pre})) && pre=$p
	done
	[[ -n $pre ]] || return 0
	for r in "${COMPREPLY[@]}"; do
		[[ $r == "$pre"* ]] && out+=("${r#"$pre"}")
	done
	COMPREPLY=("${out[@]}")
}

# The desk named by --desk DIR, --desk=DIR or -C DIR on the line, as the shell
# would pass it (a leading ~/, quotes and backslashes undone).
_rt_desk_dir() {
	local i d=
	for ((i = 1; i < ${#_rt_w[@]}; i++)); do
		if [[ ${_rt_w[i]} == --desk || ${_rt_w[i]} == -C ]]; then
			d=${_rt_w[i+1]}
			break
		elif [[ ${_rt_w[i]} == --desk=* ]]; then
			d=${_rt_w[i]#--desk=}
			break
		fi
	done
	if [[ $d == \'*\' || $d == \"*\" ]]; then
		d=${d:1:${#d}-2}
	else
		d=${d//\\/}
	fi
	[[ $d == "~" || $d == "~/"* ]] && d=$HOME${d#"~"}
	printf '%s' "$d"
}

# Runs an rt command on the desk of the line (--desk), else the usual one.
_rt_run() {
	local d
	d=$(_rt_desk_dir)
	if [[ -n $d ]]; then
		"$1" --desk "$d" "${@:2}"
	else
		"$@"
	fi
}

_rt_ids() {
	_rt_run rt-ls --ids 2>/dev/null
}

# A field's values on the desk's tickets and those the desk allows (a new
# queue no ticket is in yet, the workflow's statuses: rt-set --values).
_rt_field_values() {
	{
		_rt_run rt-ls --format "%{$1}\n" 2>/dev/null | tr ',' '\n'
		_rt_run rt-set --values "$1" 2>/dev/null
	} | grep . | sort -u
}

_rt_options() {
	"$1" --help 2>&1 | grep -oE -- '--[a-z][a-z0-9-]*=?' | sort -u
}

_rt_remotes() {
	local dir
	dir=$(_rt_desk_dir)
	git -C "${dir:-.}" remote 2>/dev/null
}

_rt_templates() {
	_rt_run rt-reply --list 2>/dev/null | awk '{ print $1 }' | sort -u
}

_rt_cmd() {
	local cmd=$1 cur prev
	_rt_words
	cur=${_rt_w[_rt_cw]} prev=${_rt_w[_rt_cw-1]}
	_rt_cmd_of "$cur" "$prev"
	_rt_trim "$cur"
}

_rt_cmd_of() {
	local cur=$1 prev=$2
	if [[ $cur == --*=* ]]; then	# --queue=b as --queue b
		prev=${cur%%=*} cur=${cur#*=}
		_rt_cmd_of "$cur" "$prev"
		COMPREPLY=("${COMPREPLY[@]/#/$prev=}")
		return
	fi
	case $prev in
	--desk|--maildir|-C) COMPREPLY=($(compgen -d -- "$cur")); return ;;
	--mbox) COMPREPLY=($(compgen -f -- "$cur")); return ;;
	--queue) COMPREPLY=($(compgen -W "$(_rt_field_values queue)" -- "$cur")); return ;;
	--owner) COMPREPLY=($(compgen -W "$(_rt_field_values owner) none" -- "$cur")); return ;;
	--status|--set-status) COMPREPLY=($(compgen -W "$(_rt_field_values status)" -- "$cur")); return ;;
	--priority) COMPREPLY=($(compgen -W "$(_rt_field_values priority)" -- "$cur")); return ;;
	--template) COMPREPLY=($(compgen -W "$(_rt_templates) auto" -- "$cur")); return ;;
	--by) COMPREPLY=($(compgen -W "queue channel owner priority customer week day" -- "$cur")); return ;;
	--source) COMPREPLY=($(compgen -W "alertmanager grafana pagerduty slack matrix mastodon twitter phone nagios ses sendgrid generic" -- "$cur")); return ;;
	--event|--output) COMPREPLY=($(compgen -f -- "$cur")); return ;;
	--dir) COMPREPLY=($(compgen -d -- "$cur")); return ;;
	--save) COMPREPLY=($(compgen -W "all 1 2 3" -- "$cur")); return ;;
	--now|--since|--until|--as-of) COMPREPLY=($(compgen -W "$(date -u +%Y-%m-%dT%H:%M:%SZ)" -- "$cur")); return ;;
	--channel|-c) COMPREPLY=($(compgen -W "phone walk-in mail letter chat $(_rt_field_values channel)" -- "$cur")); return ;;
	--tag) COMPREPLY=($(compgen -W "$(_rt_field_values tags)" -- "$cur")); return ;;
	esac
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$(_rt_options "$cmd")" -- "$cur"))
		return
	fi
	case $cmd in
	rt-init) COMPREPLY=($(compgen -d -- "$cur")) ;;
	rt-ingest|rt-gc|rt-ls|rt-report|rt-escalate|rt-web) ;;
	rt-sync) COMPREPLY=($(compgen -W "$(_rt_remotes)" -- "$cur")) ;;
	rt-archive)
		if [[ " ${_rt_w[*]} " == *" --restore "* ]]; then
			COMPREPLY=($(compgen -W "$(_rt_run rt-archive --list 2>/dev/null)" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "$(_rt_ids)" -- "$cur"))
		fi ;;
	rt-quarantine)
		if [[ $prev == rt-quarantine || $prev == quarantine || $prev == */rt-quarantine ]]; then
			COMPREPLY=($(compgen -W "list show reingest" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "$(_rt_run rt-quarantine --json 2>/dev/null | grep -o '"id": "[^"]*"' | cut -d'"' -f4)" -- "$cur"))
		fi ;;
	rt-set|rt-new)
		if [[ $cur == *=* ]]; then
			local f=${cur%%=*}
			COMPREPLY=($(compgen -P "$f=" -W "$(_rt_field_values "$f")" -- "${cur#*=}"))
		elif [[ $cmd == rt-new ]]; then
			COMPREPLY=($(compgen -W "owner= queue= priority= severity= type= tags= due= team= customer= cc=" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "$(_rt_ids) status= owner= queue= priority= severity= type= tags= due=" -- "$cur"))
		fi ;;
	*) COMPREPLY=($(compgen -W "$(_rt_ids)" -- "$cur")) ;;
	esac
}

_rt() {
	local cur=${COMP_WORDS[COMP_CWORD]}
	if ((COMP_CWORD == 1)); then
		local cmds
		cmds=$(compgen -c rt- | sed 's/^rt-//' | sort -u)
		COMPREPLY=($(compgen -W "$cmds help" -- "$cur"))
		return
	fi
	local sub=${COMP_WORDS[1]}
	if [[ $sub == help ]]; then
		COMPREPLY=($(compgen -W "$(compgen -c rt- | sed 's/^rt-//' | sort -u)" -- "$cur"))
		return
	fi
	_rt_cmd "rt-$sub"
}

_rt_dashed() { _rt_cmd "${COMP_WORDS[0]##*/}"; }

complete -F _rt rt
complete -F _rt_dashed rt-init rt-ingest rt-route rt-reply rt-escalate rt-report \
	rt-ls rt-show rt-set rt-comment rt-take rt-link rt-merge rt-gc \
	rt-new rt-quarantine rt-sync rt-web rt-archive
