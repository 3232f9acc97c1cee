package companion

import (
	"strings"
	"testing"
)

func TestParentName(t *testing.T) {
	long := strings.Repeat("A", 128)
	tests := []struct {
		name, stack, parent string
		whole               bool
	}{
		{name: "SAM CLI's vector", stack: "Parent-Stack-8ab67daa-CompanionStack", parent: "Parent-Stack", whole: true},
		{name: "parent with dashes and digits", stack: StackName("my-app-2"), parent: "my-app-2", whole: true},
		{name: "parent over 104 characters", stack: StackName(long), parent: long[:104], whole: false},
		{name: "checksum of another name", stack: "Parent-Stack-00000000-CompanionStack", parent: "Parent-Stack", whole: false},
		{name: "not a companion name", stack: "Parent-Stack-CompanionStack", parent: "", whole: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			parent, whole := ParentName(tt.stack)
			if parent != tt.parent || whole != tt.whole {
				t.Errorf("ParentName(%q) = %q, %v; want %q, %v", tt.stack, parent, whole, tt.parent, tt.whole)
			}
		})
	}
}

func TestIsCompanionAndTaggedFor(t *testing.T) {
	name := StackName("app")
	body, err := Template(name, []Repo{NewRepo("app", "Fn")}, Settings{})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, stack, description, body string
		companion, tagged              bool
	}{
		{name: "samship's companion", stack: name, description: Description, body: string(body), companion: true, tagged: true},
		{name: "another stack's template", stack: StackName("other"), description: Description, body: string(body), companion: true, tagged: false},
		{name: "a look-alike name, another description", stack: name, description: "my stack", body: string(body), companion: false, tagged: true},
		{name: "no repositories", stack: name, description: Description, body: `{"Resources":{}}`, companion: true, tagged: false},
		{name: "not a template", stack: name, description: Description, body: `{`, companion: true, tagged: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := IsCompanion(tt.stack, tt.description); got != tt.companion {
				t.Errorf("IsCompanion = %v, want %v", got, tt.companion)
			}
			if got := TaggedFor(tt.body, tt.stack); got != tt.tagged {
				t.Errorf("TaggedFor = %v, want %v", got, tt.tagged)
			}
		})
	}
}
