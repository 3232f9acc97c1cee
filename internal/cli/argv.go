package cli

import "strings"

// greedy lists the options that, as in SAM CLI, take every following word up to the next
// option: `--capabilities A B --tags k=v k2=v2`.
var greedy = map[string]bool{
	"--capabilities": true, "--tags": true, "--notification-arns": true,
	"--parameter-overrides": true, "--image-repositories": true, "--image-repos-tags": true,
	"--signing-profiles": true, // refused (unsupported.go), but whole
}

// normalizeArgs rewrites `--flag a b` into `--flag=a --flag=b` for the greedy options so the
// flag parser sees one value per occurrence.
func normalizeArgs(args []string) []string {
	var out []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			return append(out, args[i:]...)
		}
		name := a
		if j := strings.IndexByte(a, '='); j >= 0 {
			name = a[:j]
		}
		if !greedy[name] {
			out = append(out, a)
			continue
		}
		if name != a {
			out = append(out, a)
		}
		for i+1 < len(args) && !strings.HasPrefix(args[i+1], "-") {
			i++
			out = append(out, name+"="+args[i])
		}
		if name == a && (len(out) == 0 || !strings.HasPrefix(out[len(out)-1], name+"=")) {
			out = append(out, a) // no value: let the parser report it
		}
	}
	return out
}
