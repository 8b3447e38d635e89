# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# The man page, the README and --help stay in step with the code: every
# command and option the binary knows is documented, and nothing more.

docs_help_words() {	# commands or options, from --help
	case $1 in
	commands) "$PAIRPATH" --help | sed -n '/^Commands:/,/^$/p' | awk 'NR > 1 && /^  [^ ]/ {print $1}' ;;
	options) "$PAIRPATH" --help | grep -oE -- '--[a-z][a-z-]*' | sort -u ;;
	esac
}

test_docs_man_matches_help() {
	local man="$PP_TOP/docs/pairpath.8" word esc n=0
	for word in $(docs_help_words commands); do
		# groff escapes a dash: kernel-drops is kernel\-drops
		esc=$(sed 's/-/\\\\-/g' <<<"$word")
		grep -qE "^\.B(R)? $esc( |$)" "$man" || fail "man page: no command '$word'"
		n=$((n + 1))
	done
	expect_eq "$n" 12 "commands in --help"
	for word in $(docs_help_words options); do
		# groff escapes the dashes: --pin-root is \-\-pin\-root
		grep -qF -- "$(sed 's/-/\\-/g' <<<"$word")" "$man" || fail "man page: no option '$word'"
	done
	# And the other way: every long option in the man page exists.
	for word in $(grep -oE '\\-\\-[a-z]+(\\-[a-z]+)*' "$man" | sed 's/\\//g' | sort -u); do
		docs_help_words options | grep -qx -- "$word" || fail "man page documents unknown option '$word'"
	done
}

test_docs_readme_matches_help() {
	local readme="$PP_TOP/README.md" word
	for word in $(docs_help_words commands); do
		grep -qE "^\| \`$word" "$readme" || fail "README usage table: no command '$word'"
	done
	for word in $(docs_help_words options); do
		grep -qF -- "$word" "$readme" || fail "README: no option '$word'"
	done
}

# Every command's --help names the options the parser accepts for it.
test_docs_command_help() {
	expect_cmd 0 "" "$PAIRPATH" attach --help
	"$PAIRPATH" attach --help | grep -qF -- '--mode auto|tcx|tc' || fail "attach --help lacks --mode"
	"$PAIRPATH" stats --help | grep -qF -- '--watch SECS' || fail "stats --help lacks --watch"
	"$PAIRPATH" serve --help | grep -qF -- '--listen ADDR:PORT' || fail "serve --help lacks --listen"
	"$PAIRPATH" serve --help | grep -qF -- '--user USER' || fail "serve --help lacks --user"
	"$PAIRPATH" status --help | grep -qF -- '--watch' && fail "status --help shows --watch"
	return 0
}
