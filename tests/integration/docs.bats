#!/usr/bin/env bats
# shellcheck disable=SC2154 # bats run sets $status, $output
# The documentation against the CLI: the man page (contrib/ward.8) and the bash
# completion (contrib/completion/ward.bash) must cover every command and option
# that `ward --help` and `ward CMD --help` list, and nothing the CLI lacks. The
# help output is the truth: add a flag to a table in src/ and this fails until
# both documents know it.

load ../lib/common

MAN_PAGE=$REPO_DIR/contrib/ward.8
COMPLETION=$REPO_DIR/contrib/completion/ward.bash

setup_file() {
	export MAN_TXT=$BATS_FILE_TMPDIR/ward.8.txt
	# Wide enough that no paragraph wraps and unhyphenated, so that an option's
	# tag is one line to match whole; col -b's job done by sed (no bsdextrautils).
	if command -v man > /dev/null; then
		LC_ALL=C MANWIDTH=1000 man --no-hyphenation --no-justification -l "$MAN_PAGE" 2> /dev/null |
			sed 's/.\x08//g' > "$MAN_TXT"
	fi
}

setup() {
	ward_only "the documents describe ward's command line"
	[ -x "$RUNTIME" ] || fail "RUNTIME=$RUNTIME is not an executable (build ward or set RUNTIME)"
	T=$BATS_TEST_TMPDIR
	# an empty working directory: file and directory completions see only what a
	# test puts there
	mkdir -p "$T/cwd"
	cd "$T/cwd" || return
	# shellcheck source=SCRIPTDIR/../../contrib/completion/ward.bash
	source "$COMPLETION"
}

teardown() { :; }

need_man() {
	command -v man > /dev/null || skip "man (man-db) is not installed"
	[ -s "$MAN_TXT" ] || fail "man -l $MAN_PAGE rendered nothing"
}

# --- the CLI's own account of itself ----------------------------------------

# cli_commands: the commands `ward --help` lists (help included), one a line.
cli_commands() {
	"$RUNTIME" --help | awk '/^Commands:$/ { on = 1; next } on && /^$/ { exit } on { print $1 }'
}

# cli_options [CMD]: the left column of each option line of `ward --help` (no
# CMD) or of `ward CMD --help`, as "-b, --bundle DIR", one a line. The help is
# printed as "  LEFT<2+ spaces>HELP" under "Global options:" or "Options:".
cli_options() {
	local out
	out=$("$RUNTIME" "$@" --help) || fail "ward $* --help failed"
	awk '/^(Global options|Options):$/ { on = 1; next }
		on && /^$/ { exit }
		on { sub(/^ +/, ""); sub(/  .*$/, ""); print }' <<< "$out"
}

# cli_help_commands: the commands with an options table. `ward help --help` is
# an error (help takes a command name, not options), so help is left out.
cli_help_commands() {
	cli_commands | grep -vx help
}

# parse_option LEFT: split a help line's left column into $short (-b or ""),
# $long (--bundle), $kind (bool, value or optional: --x[=V]) and $meta (DIR).
parse_option() {
	local re='^(-([[:alnum:]]), )?--([[:alnum:]][[:alnum:]-]*)(\[=([^]]+)\]| ([^ ]+))?$'
	[[ $1 =~ $re ]] || fail "cannot parse the help's option \"$1\"" || return
	short=${BASH_REMATCH[2]:+-${BASH_REMATCH[2]}}
	long=--${BASH_REMATCH[3]}
	if [ -n "${BASH_REMATCH[5]}" ]; then
		kind=optional meta=${BASH_REMATCH[5]}
	elif [ -n "${BASH_REMATCH[6]}" ]; then
		kind=value meta=${BASH_REMATCH[6]}
	else
		kind=bool meta=
	fi
}

# cli_choices [CMD] OPTION: the values OPTION accepts when they are a fixed set,
# one a line, read from ward's error for a bad one ("invalid value "@@" for
# --format: expected table|json"); nothing when any value goes. The unknown
# flag after it stops ward before it does anything either way.
cli_choices() {
	local args=("$@") err
	args[-1]+="=@@"
	err=$("$RUNTIME" "${args[@]}" --ward-docs-no-such-flag 2>&1 > /dev/null) || true
	if [[ $err =~ \"@@\"\ for\ [^:]+:\ expected\ ([[:alnum:]_.-]+(\|[[:alnum:]_.-]+)+) ]]; then
		tr '|' '\n' <<< "${BASH_REMATCH[1]}"
	fi
}

# cli_usage CMD: the arguments part of `ward CMD --help`'s usage line.
cli_usage() {
	"$RUNTIME" "$1" --help | sed -n "s/^Usage: ward $1\( \[options\]\)\{0,1\} \{0,1\}//p"
}

# --- the man page ------------------------------------------------------------

# man_section TITLE: the rendered lines under a heading, an .SH title (column
# 0) or an .SS one (column 3), up to the next heading of either level.
man_section() {
	awk -v t="$1" '
		{ match($0, /^ */); ind = RLENGTH }
		on && length($0) > ind && ind < 4 { exit }
		on { print }
		!on && length($0) > ind && ind < 4 && substr($0, ind + 1) == t { on = 1 }' "$MAN_TXT"
}

# man_subsections TITLE: the .SS titles under the .SH TITLE, one a line.
man_subsections() {
	awk -v t="$1" '
		{ match($0, /^ */); ind = RLENGTH }
		on && length($0) > ind && ind == 0 { exit }
		on && length($0) > ind && ind == 3 { print substr($0, 4) }
		length($0) > 0 && ind == 0 && $0 == t { on = 1 }' "$MAN_TXT"
}

# man_tags: the .TP tags of the option entries in the section on stdin: the
# lines at the tag column (7) that start with a dash (a tag shorter than the
# indent has its description on the same line, after a space).
man_tags() {
	sed -n 's/^       \(-.*\)$/\1/p'
}

# man_entry LEFT: the entry of option LEFT in the section on stdin: its tag line
# (when the tag is exactly LEFT) and its description, up to the blank line.
man_entry() {
	awk -v left="$1" '
		on && /^$/ { exit }
		on { print }
		!on && (substr($0, 8) == left || index($0, "       " left " ") == 1) { on = 1; print }'
}

# check_man_options TITLE [CMD]: every option of `ward [CMD] --help` has an
# entry tagged exactly as the help spells it in the man page's section TITLE,
# and every entry there is one of them.
check_man_options() {
	local title=$1 section left tag found lefts=() problems=()
	shift
	section=$(man_section "$title")
	[ -n "$section" ] || fail "ward.8 has no section \"$title\"" || return
	mapfile -t lefts < <(cli_options "$@")
	for left in "${lefts[@]}"; do
		# each command's -h/--help is documented once, under GLOBAL OPTIONS
		[ $# -gt 0 ] && [ "$left" = "-h, --help" ] && continue
		[ -n "$(man_entry "$left" <<< "$section")" ] ||
			problems+=("ward.8, $title: no entry \"$left\" (as \`ward ${*:+$* }--help\` spells it)")
	done
	while IFS= read -r tag; do
		found=
		for left in "${lefts[@]}"; do
			[[ $tag == "$left" || $tag == "$left "* ]] && found=1 && break
		done
		[ -n "$found" ] || problems+=("ward.8, $title: \"$tag\" is not an option of \`ward ${*:+$* }--help\`")
	done < <(man_tags <<< "$section")
	[ ${#problems[@]} -eq 0 ] || fail "${problems[@]}"
}

# --- the completion ----------------------------------------------------------

# comp WORD...: what _ward offers with the cursor at the end of the last WORD,
# one a line (the words as bash splits them: "--opt=v" is "--opt" "=" "v").
comp() {
	local COMP_WORDS=("$@") COMP_CWORD=$(($# - 1)) COMPREPLY=()
	_ward
	[ ${#COMPREPLY[@]} -eq 0 ] || printf '%s\n' "${COMPREPLY[@]}"
}

# has WORD LINES: whether one of LINES is WORD.
has() {
	grep -qxF -e "$1" <<< "$2"
}

# --- the tests -----------------------------------------------------------------

@test "ward.8 renders without warnings (man --warnings, mandoc -Tlint)" {
	command -v man > /dev/null || skip "man (man-db) is not installed"
	local warnings
	warnings=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$MAN_PAGE" 2>&1 > /dev/null) ||
		fail "man -l failed:" "$warnings"
	[ -z "$warnings" ] || fail "man --warnings:" "$warnings"
	if command -v mandoc > /dev/null; then
		warnings=$(mandoc -Tlint -Wwarning "$MAN_PAGE" 2>&1) || fail "mandoc -Tlint:" "$warnings"
	fi
}

@test "ward.8 has a COMMANDS subsection for every command, and none for others" {
	need_man
	local cmds sections cmd problems=()
	cmds=$(cli_commands)
	[ -n "$cmds" ] || fail "no commands in ward --help"
	sections=$(man_subsections COMMANDS)
	for cmd in $cmds; do
		has "$cmd" "$sections" || problems+=("ward.8: no \".SS $cmd\" under COMMANDS")
	done
	for cmd in $sections; do
		has "$cmd" "$cmds" || problems+=("ward.8: \".SS $cmd\" is not a command of ward --help")
	done
	[ ${#problems[@]} -eq 0 ] || fail "${problems[@]}"
}

@test "ward.8 documents the global options under GLOBAL OPTIONS, as --help spells them" {
	need_man
	check_man_options "GLOBAL OPTIONS"
}

@test "ward.8 documents each command's options in the command's subsection" {
	need_man
	local cmd problems=()
	for cmd in $(cli_help_commands); do
		check_man_options "$cmd" "$cmd" 2> "$T/err" || problems+=("$(cat "$T/err")")
	done
	[ ${#problems[@]} -eq 0 ] || fail "${problems[@]}"
}

@test "ward.8 names every value of an option that has a fixed set" {
	need_man
	local cmd left short long kind meta v entry problems=() checked=0
	for cmd in "" $(cli_help_commands); do
		while IFS= read -r left; do
			parse_option "$left"
			[ "$kind" != bool ] || continue
			entry=$(man_section "${cmd:-GLOBAL OPTIONS}" | man_entry "$left")
			for v in $(cli_choices ${cmd:+"$cmd"} "$long"); do
				checked=$((checked + 1))
				grep -qw -e "$v" <<< "$entry" ||
					problems+=("ward.8: the entry of ${cmd:+$cmd }$long does not name its value \"$v\"")
			done
		done < <(cli_options ${cmd:+"$cmd"})
	done
	[ "$checked" -gt 0 ] || fail "no option with choices found: is the probe of ward's errors broken?"
	[ ${#problems[@]} -eq 0 ] || fail "${problems[@]}"
}

@test "completion: ward <TAB> offers exactly the commands, ward --<TAB> the global options" {
	local want got w problems=()
	want=$(cli_commands)
	got=$(comp ward "")
	for w in $want; do has "$w" "$got" || problems+=("ward <TAB>: $w not offered"); done
	for w in $got; do has "$w" "$want" || problems+=("ward <TAB>: $w is not a command"); done
	want=$(cli_options | while IFS= read -r left; do parse_option "$left" && echo "$long"; done)
	got=$(comp ward --)
	for w in $want; do has "$w" "$got" || problems+=("ward --<TAB>: $w not offered"); done
	for w in $got; do has "$w" "$want" || problems+=("ward --<TAB>: $w is not a global option"); done
	[ ${#problems[@]} -eq 0 ] || fail "${problems[@]}"
}

@test "completion: ward CMD --<TAB> offers exactly CMD's options" {
	local cmd want got w problems=()
	for cmd in $(cli_help_commands); do
		want=$(cli_options "$cmd" | while IFS= read -r left; do parse_option "$left" && echo "$long"; done)
		got=$(comp ward "$cmd" --)
		for w in $want; do has "$w" "$got" || problems+=("ward $cmd --<TAB>: $w not offered"); done
		for w in $got; do has "$w" "$want" || problems+=("ward $cmd --<TAB>: $w is not an option of $cmd"); done
	done
	[ ${#problems[@]} -eq 0 ] || fail "${problems[@]}"
}

# An option that takes a value must make the next word its value (no options
# offered there); after a boolean one (or a bare --rootless[=V]) options are
# offered again. Checked for the long and the short spelling.
@test "completion: the word after an option is its value exactly when the option takes one" {
	local cmd left short long kind meta form got problems=()
	for cmd in "" $(cli_help_commands); do
		while IFS= read -r left; do
			parse_option "$left"
			for form in "$long" $short; do
				got=$(comp ward ${cmd:+"$cmd"} "$form" -)
				if [ "$kind" = value ]; then
					! has --help "$got" ||
						problems+=("ward ${cmd:+$cmd }$form -<TAB>: offers options, but $form takes a value ($meta)")
				else
					has --help "$got" ||
						problems+=("ward ${cmd:+$cmd }$form -<TAB>: no options offered, but $form takes no value")
				fi
			done
		done < <(cli_options ${cmd:+"$cmd"})
	done
	[ ${#problems[@]} -eq 0 ] || fail "${problems[@]}"
}

@test "completion: the values of options with a fixed set, files and directories" {
	local cmd left short long kind meta form v got problems=()
	mkdir adir
	touch afile
	for cmd in "" $(cli_help_commands); do
		while IFS= read -r left; do
			parse_option "$left"
			[ "$kind" != bool ] || continue
			for v in $(cli_choices ${cmd:+"$cmd"} "$long"); do
				for form in "$long" $short; do
					got=$(comp ward ${cmd:+"$cmd"} "$form" "")
					has "$v" "$got" || problems+=("ward ${cmd:+$cmd }$form <TAB>: \"$v\" not offered")
				done
				# bash splits --opt=value at "=" (COMP_WORDBREAKS)
				got=$(comp ward ${cmd:+"$cmd"} "$long" = "")
				has "$v" "$got" || problems+=("ward ${cmd:+$cmd }$long=<TAB>: \"$v\" not offered")
			done
			# exec's --cwd is a directory inside the container, not on the host
			[ "$cmd $long" != "exec --cwd" ] || continue
			for form in "$long" $short; do
				got=$(comp ward ${cmd:+"$cmd"} "$form" a)
				case $meta in
				FILE | PATH | SOCKET)
					has afile "$got" || problems+=("ward ${cmd:+$cmd }$form a<TAB>: files not offered ($meta)")
					;;
				DIR)
					{ has adir "$got" && ! has afile "$got"; } ||
						problems+=("ward ${cmd:+$cmd }$form a<TAB>: offers \"${got//$'\n'/ }\", not directories only")
					;;
				esac
			done
		done < <(cli_options ${cmd:+"$cmd"})
	done
	[ ${#problems[@]} -eq 0 ] || fail "${problems[@]}"
}

@test "completion: container IDs from the --root on the line, signal names for kill" {
	local cmd args got sig problems=()
	# a stand-in for ward (the first word of the line is what the completion
	# runs): its "list" names the root it was given
	cat > "$T/fake-ward" <<- 'EOF'
		#!/bin/sh
		[ "$1" = --root ] && [ "$3 $4" = "list -q" ] && echo "id-in-$2" && exit 0
		[ "$1 $2" = "list -q" ] && echo id-in-default-root
	EOF
	chmod +x "$T/fake-ward"
	for cmd in $(cli_help_commands); do
		args=$(cli_usage "$cmd")
		[[ $args == "<container-id>"* ]] || continue
		got=$(comp "$T/fake-ward" --root "$T/r" "$cmd" "")
		case $cmd in
		create | run) # they name a new container: no existing ID fits
			! has "id-in-$T/r" "$got" || problems+=("ward $cmd <TAB>: offers existing IDs")
			;;
		*)
			has "id-in-$T/r" "$got" || problems+=("ward --root R $cmd <TAB>: no ID of R offered (got: $got)")
			got=$(comp "$T/fake-ward" --root = "$T/r2" --debug "$cmd" "")
			has "id-in-$T/r2" "$got" || problems+=("ward --root=R --debug $cmd <TAB>: no ID of R offered")
			got=$(comp "$T/fake-ward" "$cmd" "")
			has id-in-default-root "$got" || problems+=("ward $cmd <TAB>: no ID offered")
			;;
		esac
	done

	got=$(comp ward kill some-id "")
	for sig in KILL TERM HUP USR1; do
		has "$sig" "$got" || problems+=("ward kill ID <TAB>: $sig not offered")
	done
	has SIGTERM "$(comp ward kill some-id SIGT)" || problems+=("ward kill ID SIGT<TAB>: SIGTERM not offered")
	# every name offered is one ward accepts (it checks the signal first)
	for sig in $got; do
		run "$RUNTIME" --root "$T/state" kill no-such-container "$sig"
		[[ $output != *"invalid signal"* ]] || problems+=("ward kill ID <TAB>: offers $sig, which ward refuses")
	done
	[ ${#problems[@]} -eq 0 ] || fail "${problems[@]}"
}
