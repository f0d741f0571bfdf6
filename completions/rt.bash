# bash completion for rt: the dispatcher and every rt-* command.
# Commands: rt rt-init rt-ingest rt-route rt-reply rt-escalate rt-report
#           rt-ls rt-show rt-set rt-comment rt-take rt-link rt-merge rt-gc
#           rt-new rt-quarantine rt-sync rt-web rt-archive
# Options come from each command's --help; ticket ids, queues, owners and
# templates from the desk the command would use.

_rt_desk_args() {
	local i
	for ((i = 1; i < ${#COMP_WORDS[@]}; i++)); do
		if [[ ${COMP_WORDS[i]} == --desk ]]; then
			printf -- '--desk %q' "${COMP_WORDS[i+1]}"
			return
		elif [[ ${COMP_WORDS[i]} == --desk=* ]]; then
			printf -- '--desk %q' "${COMP_WORDS[i]#--desk=}"
			return
		fi
	done
}

_rt_ids() {
	rt-ls $(_rt_desk_args) --ids 2>/dev/null
}

# A field's values on the desk's tickets, those rt.yaml declares (a new
# queue no ticket is in yet: rt-set --values) and for status the usual ones.
_rt_field_values() {
	{
		rt-ls $(_rt_desk_args) --format "%{$1}\n" 2>/dev/null | tr ',' '\n'
		rt-set $(_rt_desk_args) --values "$1" 2>/dev/null
		case $1 in
		status) printf '%s\n' new open waiting resolved closed ;;
		esac
	} | grep . | sort -u
}

_rt_options() {
	"$1" --help 2>&1 | grep -oE -- '--[a-z][a-z0-9-]*=?' | sort -u
}

_rt_remotes() {
	local a dir=.
	a=$(_rt_desk_args)
	[[ -n $a ]] && eval "dir=${a#--desk }"
	git -C "$dir" remote 2>/dev/null
}

_rt_templates() {
	rt-reply $(_rt_desk_args) --list 2>/dev/null | awk '{ print $1 }' | sort -u
}

_rt_cmd() {
	local cmd=$1 cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
	case $prev in
	--desk|--maildir|-C) COMPREPLY=($(compgen -d -- "$cur")); return ;;
	--mbox) COMPREPLY=($(compgen -f -- "$cur")); return ;;
	--queue) COMPREPLY=($(compgen -W "$(_rt_field_values queue)" -- "$cur")); return ;;
	--owner) COMPREPLY=($(compgen -W "$(_rt_field_values owner) none" -- "$cur")); return ;;
	--status|--set-status) COMPREPLY=($(compgen -W "$(_rt_field_values status)" -- "$cur")); return ;;
	--priority) COMPREPLY=($(compgen -W "low normal high urgent critical" -- "$cur")); return ;;
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
		if [[ " ${COMP_WORDS[*]} " == *" --restore "* ]]; then
			COMPREPLY=($(compgen -W "$(rt-archive $(_rt_desk_args) --list 2>/dev/null)" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "$(_rt_ids)" -- "$cur"))
		fi ;;
	rt-quarantine)
		if [[ $prev == rt-quarantine || $prev == quarantine || $prev == */rt-quarantine ]]; then
			COMPREPLY=($(compgen -W "list show reingest" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "$(rt-quarantine $(_rt_desk_args) --json 2>/dev/null | grep -o '"id": "[^"]*"' | cut -d'"' -f4)" -- "$cur"))
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
