#!/usr/bin/env bash
# Keeps the shipped bash completion and man page in step with the program: every command that
# `loadlens-cli --help` lists, and every option that each command's --help lists, must be
# offered by the completion / described in the man page.
#   check_cli_docs.sh completion LOADLENS_CLI deploy/completion/loadlens-cli
#   check_cli_docs.sh manpage    LOADLENS_CLI deploy/man/loadlens-cli.1
set -euo pipefail
mode=$1 cli=$2 file=$3
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# Command names: the first word of the entries under "Commands:" and "More commands".
commands() {
    "$cli" --help | awk '
        /^Commands:/ || /^More commands/ { inside = 1; next }
        /^$/ || /^[^ ]/ { inside = 0 }
        inside && /^  [a-z]/ { print $1 }'
}

# Options a command declares: the first column of help lines that start with an option
# (up to the first run of two spaces), before any "Examples:" section.
options_of() {
    local help
    case $1 in
        scan|who-loads|explain)
            help=$("$cli" --help | sed -n '/^Scan options:/,/^Exit status/p') ;;
        *) help=$("$cli" "$1" --help) ;;
    esac
    printf '%s\n' "$help" | awk '
        /^Examples?:/ { exit }
        /^ +-/ { sub(/^ +/, ""); split($0, column, /  /); print column[1] }' |
        grep -oE '(^|[ ,])--?[a-zA-Z][-a-zA-Z]*' | tr -d ' ,' | sort -u
}

mapfile -t all_commands < <(commands)
[ "${#all_commands[@]}" -ge 10 ] || fail "expected at least 10 commands in 'loadlens-cli --help', found ${#all_commands[@]}"

case $mode in
completion)
    # shellcheck source=/dev/null
    source "$file"
    func=$(complete -p loadlens-cli | sed -n 's/.*-F \([^ ]*\) .*/\1/p')
    [ -n "$func" ] || { echo "FAIL: $file registers no completion function for loadlens-cli"; exit 1; }
    complete_words() {  # complete_words WORD...: the last word is the one being completed
        COMP_WORDS=(loadlens-cli "$@")
        COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
        COMP_LINE="${COMP_WORDS[*]}"
        COMP_POINT=${#COMP_LINE}
        COMPREPLY=()
        "$func" loadlens-cli "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
        printf '%s\n' "${COMPREPLY[@]}"
    }
    expect() {  # expect WHAT "offered words" WANTED...
        local what=$1 offered=$2
        shift 2
        for w in "$@"; do
            grep -qxF -- "$w" <<<"$offered" || fail "completion of $what does not offer $w"
        done
    }
    expect "commands" "$(complete_words "")" "${all_commands[@]}"
    for c in "${all_commands[@]}"; do
        [ "$c" = help ] && continue
        mapfile -t opts < <(options_of "$c")
        [ "$c" = scan ] || [ "$c" = explain ] && mapfile -t opts < <(printf '%s\n' "${opts[@]}" | grep -vxF -- --case)
        expect "'$c -'" "$(complete_words "$c" -)" "${opts[@]}"
    done
    expect "verdict levels" "$(complete_words scan --min-level "")" ok info low medium high
    expect "export formats" "$(complete_words export --format "")" csv json ecs stix
    expect "export tables" "$(complete_words export --table "")" processes modules findings
    expect "log levels" "$(complete_words --log-level "")" trace debug info warn error off
    ;;
manpage)
    # The source with troff's \- turned back into -, so options read as on the command line.
    page=$(sed 's/\\-/-/g; s/\\f[BIRP]//g' "$file")
    # One ".SS command" subsection per command, holding that command's options.
    section() {
        awk -v c="$1" '
            /^\.S[SH]/ { inside = ($1 == ".SS" && ($2 == c || $2 == "\"" c "\"")) ; next }
            inside' <<<"$page"
    }
    for c in "${all_commands[@]}"; do
        body=$(section "$c")
        [ -n "$body" ] || { fail "the man page has no '.SS $c' section"; continue; }
        case $c in
            scan|who-loads|explain|help) continue ;;  # the shared scan options are checked below
        esac
        for o in $(options_of "$c"); do
            grep -qE -- "(^|[^-a-zA-Z])$o([^-a-zA-Z]|$)" <<<"$body" || fail "section '$c' of the man page does not mention $o"
        done
    done
    for o in $(options_of scan); do
        grep -qE -- "(^|[^-a-zA-Z])$o([^-a-zA-Z]|$)" <<<"$page" || fail "the man page does not mention $o"
    done
    for s in "EXIT STATUS" FILES EXAMPLES; do
        grep -qx "\.SH \"\?$s\"\?" <<<"$page" || fail "the man page has no $s section"
    done
    grep -q 'hash-cache.sqlite' <<<"$page" || fail "the man page does not name the hash cache file"
    grep -q 'case.sqlite' <<<"$page" || fail "the man page does not name the default case file"
    ;;
*)
    echo "usage: $0 completion|manpage LOADLENS_CLI FILE" >&2
    exit 2 ;;
esac

if [ "$failures" -gt 0 ]; then
    echo "$failures problem(s): update $file"
    exit 1
fi
echo "ok: ${#all_commands[@]} commands (${all_commands[*]}) and their options"
