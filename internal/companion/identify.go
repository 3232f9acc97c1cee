package companion

import (
	"regexp"

	"go.yaml.in/yaml/v3"
)

var companionName = regexp.MustCompile(`^(.+)-([0-9a-f]{8})-CompanionStack$`)

// IsCompanion reports whether a stack is a companion stack, SAM CLI's or samship's: its
// name has the companion form "<parent>-<8 hex>-CompanionStack" and its template carries the
// companion description.
func IsCompanion(name, description string) bool {
	return companionName.MatchString(name) && description == Description
}

// ParentName returns the application stack a companion stack name was made for, and whether
// the name holds it whole: a parent of over 104 characters leaves only its first 104 (ok
// false), as does a name whose checksum is not that of its prefix.
func ParentName(name string) (parent string, whole bool) {
	m := companionName.FindStringSubmatch(name)
	if m == nil {
		return "", false
	}
	return m[1], checksum(m[1])[:8] == m[2]
}

// TaggedFor reports whether every repository of a deployed companion template carries SAM
// CLI's tag naming stack as its companion stack (and there is at least one): the stack's
// repositories are its own, not ones a look-alike template names.
func TaggedFor(body, stack string) bool {
	var doc struct {
		Resources map[string]deployedRepo `yaml:"Resources"`
	}
	if yaml.Unmarshal([]byte(body), &doc) != nil {
		return false
	}
	n := 0
	for _, r := range doc.Resources {
		if r.Type != "AWS::ECR::Repository" {
			continue
		}
		tagged := false
		for _, t := range r.Properties.Tags {
			tagged = tagged || t.Key == TagCompanionStack && t.Value == stack
		}
		if !tagged {
			return false
		}
		n++
	}
	return n > 0
}
