# shellcheck shell=bash
# SPDX-License-Identifier: Apache-2.0
# Bash completion for ward(8), installed as bash-completion's
# completions/ward. Self-contained: it needs nothing from the bash-completion
# package, so it can also be sourced directly.
#
# The tables below mirror `ward --help` and `ward CMD --help`;
# tests/integration/docs.bats fails when they drift from the CLI (a command or
# flag missing, a flag taking a value listed as boolean or the reverse, a
# choice not offered).

_ward_commands="audit check create delete events exec features kill list pause ps resume run spec start state update help"

# The signal names `ward kill` accepts (src/flags.c), without their SIG prefix.
_ward_signals="HUP INT QUIT ILL TRAP ABRT IOT BUS FPE KILL USR1 SEGV USR2 PIPE ALRM TERM STKFLT CHLD CLD CONT
STOP TSTP TTIN TTOU URG XCPU XFSZ VTALRM PROF WINCH IO POLL PWR SYS RTMIN RTMAX"

# _ward_flags CMD: the options of CMD ("" for the global options) in `val`
# (they take a value), `opt` (the value is optional: only one of its choices is
# taken from the next word) and `bool`. The caller declares the three locals;
# bash's dynamic scoping hands them over. Short forms are listed so that a
# value after `-b` is completed like one after `--bundle`.
_ward_flags() {
	val="" opt="" bool="--help -h"
	case $1 in
	"")
		val="--root --log --log-format --cgroup-manager --policy --criu"
		opt="--rootless"
		bool+=" --debug --systemd-cgroup --version -v"
		;;
	audit) val="--fail-above" bool+=" --json" ;;
	check) bool+=" --json" ;;
	create | run)
		val="--bundle -b --config -f --console-socket --pid-file --preserve-fds"
		bool+=" --no-pivot --no-new-keyring"
		[[ $1 == run ]] && bool+=" --detach -d"
		;;
	delete) bool+=" --force -f" ;;
	events) val="--interval" bool+=" --stats" ;;
	exec)
		val="--console-socket --cwd --env -e --user -u --process -p --pid-file --preserve-fds"
		bool+=" --tty -t --detach -d"
		;;
	kill) bool+=" --all -a" ;;
	list) val="--format -f" bool+=" --quiet -q" ;;
	ps) val="--format -f" ;;
	spec) val="--bundle -b" bool+=" --rootless" ;;
	update)
		val="--resources -r --blkio-weight --cpu-period --cpu-quota --cpu-share --cpu-rt-period
			--cpu-rt-runtime --cpuset-cpus --cpuset-mems --memory --memory-reservation --memory-swap
			--pids-limit --kernel-memory --kernel-memory-tcp --l3-cache-schema --mem-bw-schema"
		;;
	esac
}

# _ward_norm WORD: an option as the tables spell it. ward's parser (Go's
# flag package rules) takes one or two dashes alike: -bundle is --bundle.
_ward_norm() {
	local name=${1#-}
	name=${name#-}
	name=${name%%=*}
	if ((${#name} == 1)); then
		REPLY=-$name
	else
		REPLY=--$name
	fi
}

# _ward_in WORD LIST: whether WORD is one of LIST's words.
_ward_in() {
	[[ " ${2//[$'\t\n']/ } " == *" $1 "* ]]
}

# _ward_longs LIST: the long options of LIST, one a line.
_ward_longs() {
	local w
	for w in $1; do
		[[ $w == --* ]] && printf '%s\n' "$w"
	done
}

# _ward_add COMPGEN-ARGS...: append compgen's matches to COMPREPLY, one per
# line as compgen prints them (no word splitting or globbing of the matches).
_ward_add() {
	local m
	while IFS= read -r m; do
		COMPREPLY+=("$m")
	done < <(compgen "$@")
}

# _ward_ids: the container IDs of the state root the line names (--root),
# asked of the ward being completed so that its default root applies.
_ward_ids() {
	# the line is not expanded yet: ~ is still the user's to expand
	local ward=${words[0]/#\~/$HOME} dir=${root/#\~/$HOME}
	"$ward" ${dir:+--root "$dir"} list -q 2> /dev/null
}

# _ward_values CMD OPTION CUR: add the completions of OPTION's value to COMPREPLY.
_ward_values() {
	local cmd=$1 o=$2 cur=$3
	case $cmd:$o in
	:--log-format) _ward_add -W "text json" -- "$cur" ;;
	:--cgroup-manager) _ward_add -W "cgroupfs systemd disabled" -- "$cur" ;;
	:--policy) _ward_add -W "baseline restricted oci" -- "$cur" ;;
	:--rootless) _ward_add -W "true false auto" -- "$cur" ;;
	list:--format | list:-f | ps:--format | ps:-f) _ward_add -W "table json" -- "$cur" ;;
	:--root | create:--bundle | create:-b | run:--bundle | run:-b | spec:--bundle | spec:-b)
		compopt -o filenames 2> /dev/null
		_ward_add -d -- "$cur"
		;;
	# host files; exec's --cwd is a path inside the container, not completed
	:--log | :--criu | *:--pid-file | *:--console-socket | create:--config | create:-f | run:--config | run:-f | \
		exec:--process | exec:-p | update:--resources | update:-r)
		compopt -o filenames 2> /dev/null
		_ward_add -f -- "$cur"
		;;
	esac
}

_ward() {
	local words=() cword=-1 cur root="" cmd="" want="" val opt bool w i n npos=0 opts_end=0 raw_prev="" REPLY
	local IFS=$' \t\n'
	COMPREPLY=()

	# Bash splits "--opt=value" at "=" when "=" is in COMP_WORDBREAKS (the
	# default): join the pieces back so that the parsing below sees one word.
	for ((i = 0; i < ${#COMP_WORDS[@]}; i++)); do
		w=${COMP_WORDS[i]}
		n=${#words[@]}
		if ((n > 0)) && { [[ $w == = && ${words[n - 1]} == -* && ${words[n - 1]} != *=* ]] ||
			[[ $raw_prev == = && ${words[n - 1]} == -*= ]]; }; then
			words[n - 1]+=$w
		else
			words+=("$w")
		fi
		((i == COMP_CWORD)) && cword=$((${#words[@]} - 1))
		raw_prev=$w
	done
	((cword >= 0)) || return 0
	cur=${words[cword]}

	# Walk the words before the cursor: the global options, the command, then
	# the command's options and positional arguments. `want` is an option
	# whose value is the word being completed.
	_ward_flags ""
	for ((i = 1; i < cword; i++)); do
		w=${words[i]}
		if [[ -z $cmd ]]; then
			if [[ $w == -?* ]]; then
				_ward_norm "$w"
				[[ $REPLY == --root && $w == *=* ]] && root=${w#*=}
				if [[ $w != *=* ]] && _ward_in "$REPLY" "$val"; then
					[[ $REPLY == --root ]] && root=${words[i + 1]}
					((i + 1 == cword)) && want=$REPLY
					((i++))
				elif [[ $w != *=* ]] && _ward_in "$REPLY" "$opt"; then
					# an optional value is taken only when it is a choice
					if ((i + 1 == cword)); then
						want=$REPLY
					elif _ward_in "${words[i + 1]}" "true false auto"; then
						((i++))
					fi
				fi
				continue
			fi
			cmd=$w
			_ward_flags "$cmd"
			continue
		fi
		if ((opts_end == 0)) && [[ $w == -- ]]; then
			opts_end=1
		elif ((opts_end == 0)) && [[ $w == -?* ]]; then
			_ward_norm "$w"
			if [[ $w != *=* ]] && _ward_in "$REPLY" "$val"; then
				((i + 1 == cword)) && want=$REPLY
				((i++))
			fi
		else
			((npos++))
			# exec and ps: what follows the container ID is not ward's
			[[ $cmd == exec || $cmd == ps ]] && opts_end=1
		fi
	done

	if ((opts_end == 0)) && [[ $cur == -?*=* ]]; then
		_ward_norm "$cur"
		_ward_values "$cmd" "$REPLY" "${cur#*=}"
		# without "=" in COMP_WORDBREAKS the whole word is replaced
		if [[ ${COMP_WORDS[COMP_CWORD]} == -*=* ]]; then
			COMPREPLY=("${COMPREPLY[@]/#/${cur%%=*}=}")
		fi
		return 0
	fi
	if [[ -n $want ]]; then
		_ward_values "$cmd" "$want" "$cur"
		# a bare --rootless is complete as it is: what follows may be the command
		_ward_in "$want" "$opt" || return 0
	fi

	if [[ -z $cmd ]]; then
		if [[ $cur == -* ]]; then
			_ward_add -W "$(_ward_longs "$val $opt $bool")" -- "$cur"
		else
			_ward_add -W "$_ward_commands" -- "$cur"
		fi
		return 0
	fi
	if ((opts_end == 0)) && [[ $cur == -* ]]; then
		_ward_add -W "$(_ward_longs "$val $bool")" -- "$cur"
		return 0
	fi
	case $cmd:$npos in
	help:0 | h:0) _ward_add -W "$_ward_commands" -- "$cur" ;;
	audit:0)
		compopt -o filenames 2> /dev/null
		_ward_add -f -- "$cur"
		;;
	# create and run name a new container: no existing ID fits
	delete:0 | events:0 | exec:0 | kill:0 | pause:0 | ps:0 | resume:0 | start:0 | state:0 | update:0)
		_ward_add -W "$(_ward_ids)" -- "$cur"
		;;
	kill:1)
		# any case is accepted; the names are offered in upper case
		local up=${cur^^}
		if [[ $up == SIG* ]]; then
			_ward_add -P SIG -W "$_ward_signals" -- "${up:3}"
		else
			_ward_add -W "$_ward_signals" -- "$up"
		fi
		;;
	esac
	return 0
}

complete -F _ward ward
