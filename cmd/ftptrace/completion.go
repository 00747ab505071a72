package main

import (
	"flag"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/ftptrace/ftptrace/report"
)

// Shell completions (ftptrace completion bash|zsh|fish), made from the
// flag set: the views, every flag, the values of the flags that take a
// word from a list, file and directory names where a flag wants one, and
// the interface names for -i (from ftptrace -D, or /sys/class/net when
// listing needs privileges the user lacks).

// flagValues are the words some flags take.
func flagValues() map[string][]string {
	return map[string][]string{
		"lang":    report.Languages(),
		"color":   {"never", "auto", "always"},
		"fail-on": {"cleartext", "findings", "critical"},
		"records": report.RecordTypes(),
	}
}

// flagArg tells what a flag's value is: "" for none (a switch), "file",
// "dir", "iface", "words" (flagValues) or "value".
func flagArg(f *flag.Flag) string {
	if _, isBool := f.Value.(interface{ IsBoolFlag() bool }); isBool {
		return ""
	}
	switch f.Name {
	case "r", "o", "w":
		return "file"
	case "extract":
		return "dir"
	case "i":
		return "iface"
	}
	if _, ok := flagValues()[f.Name]; ok {
		return "words"
	}
	return "value"
}

// completionFlags lists the flags as a shell types them, sorted.
func completionFlags(fs *flag.FlagSet) []*flag.Flag {
	var out []*flag.Flag
	fs.VisitAll(func(f *flag.Flag) { out = append(out, f) })
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// ifaceNames is the shell command that lists interface names.
const ifaceNames = `{ ftptrace -D 2>/dev/null | sed -n 's/^[0-9]*\. \([^ ]*\).*/\1/p'; ls /sys/class/net 2>/dev/null; } | sort -u`

func writeCompletion(w io.Writer, fs *flag.FlagSet, shell string) error {
	switch shell {
	case "bash":
		writeBash(w, fs)
	case "zsh":
		writeZsh(w, fs)
	case "fish":
		writeFish(w, fs)
	default:
		return errorf("completion %q: ftptrace completes bash, zsh and fish", shell)
	}
	return nil
}

func writeBash(w io.Writer, fs *flag.FlagSet) {
	var names, files, dirs, values []string
	words := map[string][]string{}
	for _, f := range completionFlags(fs) {
		d := dashes(f.Name)
		names = append(names, d)
		switch flagArg(f) {
		case "file":
			files = append(files, d)
		case "dir":
			dirs = append(dirs, d)
		case "words":
			words[d] = flagValues()[f.Name]
		case "value":
			values = append(values, d)
		}
	}
	fmt.Fprintf(w, "# bash completion for ftptrace (ftptrace completion bash)\n_ftptrace() {\n")
	fmt.Fprintf(w, "  local cur=\"${COMP_WORDS[COMP_CWORD]}\" prev=\"${COMP_WORDS[COMP_CWORD-1]}\"\n")
	fmt.Fprintf(w, "  case \"$prev\" in\n")
	fmt.Fprintf(w, "    -i) COMPREPLY=($(compgen -W \"$(%s)\" -- \"$cur\")); return;;\n", ifaceNames)
	fmt.Fprintf(w, "    %s) COMPREPLY=($(compgen -f -- \"$cur\")); return;;\n", strings.Join(files, "|"))
	fmt.Fprintf(w, "    %s) COMPREPLY=($(compgen -d -- \"$cur\")); return;;\n", strings.Join(dirs, "|"))
	var keys []string
	for k := range words {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(w, "    %s) COMPREPLY=($(compgen -W \"%s\" -- \"$cur\")); return;;\n", k, strings.Join(words[k], " "))
	}
	fmt.Fprintf(w, "    %s) return;;\n", strings.Join(values, "|"))
	fmt.Fprintf(w, "  esac\n")
	fmt.Fprintf(w, "  if [[ \"$cur\" == -* ]]; then COMPREPLY=($(compgen -W \"%s\" -- \"$cur\")); return; fi\n", strings.Join(names, " "))
	fmt.Fprintf(w, "  if [[ \"${COMP_WORDS[1]}\" == help ]]; then COMPREPLY=($(compgen -W \"%s\" -- \"$cur\")); return; fi\n", strings.Join(views, " "))
	fmt.Fprintf(w, "  if [[ \"${COMP_WORDS[1]}\" == completion ]]; then COMPREPLY=($(compgen -W \"bash zsh fish\" -- \"$cur\")); return; fi\n")
	fmt.Fprintf(w, "  COMPREPLY=($(compgen -W \"%s help completion\" -- \"$cur\") $(compgen -f -- \"$cur\"))\n}\n", strings.Join(views, " "))
	fmt.Fprintf(w, "complete -o filenames -F _ftptrace ftptrace\n")
}

func writeZsh(w io.Writer, fs *flag.FlagSet) {
	fmt.Fprintf(w, "#compdef ftptrace\n# zsh completion for ftptrace (ftptrace completion zsh)\n")
	fmt.Fprintf(w, "_ftptrace_ifaces() { local -a ifs; ifs=(${(f)\"$(%s)\"}); _describe interface ifs }\n", ifaceNames)
	fmt.Fprintf(w, "_ftptrace() {\n  _arguments -s \\\n")
	for _, f := range completionFlags(fs) {
		_, usage := flag.UnquoteUsage(f)
		desc := zshQuote(strings.SplitN(usage, ";", 2)[0])
		spec := dashes(f.Name) + "[" + desc + "]"
		switch flagArg(f) {
		case "file":
			spec += ":file:_files"
		case "dir":
			spec += ":directory:_files -/"
		case "iface":
			spec += ":interface:_ftptrace_ifaces"
		case "words":
			spec += ":value:(" + strings.Join(flagValues()[f.Name], " ") + ")"
		case "value":
			spec += ":value: "
		}
		fmt.Fprintf(w, "    '%s' \\\n", spec)
	}
	fmt.Fprintf(w, "    '1:view or capture:((%s help\\:\"usage of ftptrace or of a view\" completion\\:\"shell completion\") ) ' \\\n", zshViews())
	fmt.Fprintf(w, "    '*:capture:_files'\n}\n_ftptrace \"$@\"\n")
}

// zshViews lists the views with their descriptions for _arguments.
func zshViews() string {
	var out []string
	for _, v := range viewDocs {
		out = append(out, v.name+`\:"`+zshQuote(v.short)+`"`)
	}
	return strings.Join(out, " ")
}

// zshQuote makes text safe inside '...[text]' of an _arguments spec.
func zshQuote(s string) string {
	r := strings.NewReplacer("'", "", "[", "(", "]", ")", ":", " -", `"`, "", "`", "")
	return r.Replace(s)
}

func writeFish(w io.Writer, fs *flag.FlagSet) {
	fmt.Fprintf(w, "# fish completion for ftptrace (ftptrace completion fish)\n")
	fmt.Fprintf(w, "complete -c ftptrace -f\n")
	for _, v := range viewDocs {
		fmt.Fprintf(w, "complete -c ftptrace -n __fish_use_subcommand -a %s -d %s\n", v.name, fishQuote(v.short))
	}
	fmt.Fprintf(w, "complete -c ftptrace -n __fish_use_subcommand -a help -d 'usage of ftptrace or of a view'\n")
	fmt.Fprintf(w, "complete -c ftptrace -n __fish_use_subcommand -a completion -d 'shell completion'\n")
	fmt.Fprintf(w, "complete -c ftptrace -n '__fish_seen_subcommand_from help' -a '%s'\n", strings.Join(views, " "))
	fmt.Fprintf(w, "complete -c ftptrace -n '__fish_seen_subcommand_from completion' -a 'bash zsh fish'\n")
	fmt.Fprintf(w, "complete -c ftptrace -F\n")
	for _, f := range completionFlags(fs) {
		_, usage := flag.UnquoteUsage(f)
		opt := "-l " + f.Name
		if len(f.Name) == 1 {
			opt = "-s " + f.Name
		}
		line := fmt.Sprintf("complete -c ftptrace %s -d %s", opt, fishQuote(strings.SplitN(usage, ";", 2)[0]))
		switch flagArg(f) {
		case "file":
			line += " -r -F"
		case "dir":
			line += " -r -a '(__fish_complete_directories)'"
		case "iface":
			line += fmt.Sprintf(" -x -a '(%s)'", strings.ReplaceAll(ifaceNames, "'", `\'`))
		case "words":
			line += " -x -a '" + strings.Join(flagValues()[f.Name], " ") + "'"
		case "value":
			line += " -x"
		}
		fmt.Fprintln(w, line)
	}
}

func fishQuote(s string) string {
	return "'" + strings.ReplaceAll(strings.ReplaceAll(s, `\`, `\\`), "'", `\'`) + "'"
}
