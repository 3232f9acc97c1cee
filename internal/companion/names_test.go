package companion

import (
	"strings"
	"testing"
)

func TestStackName(t *testing.T) {
	tests := map[string]struct {
		parent string
		want   string
	}{
		"sam vector":             {"Parent-Stack", "Parent-Stack-8ab67daa-CompanionStack"},
		"sam-app":                {"sam-app", "sam-app-7427b055-CompanionStack"},
		"observed peer":          {"peer-app", "peer-app-8cc3d84a-CompanionStack"},
		"observed guided":        {"peer-guided", "peer-guided-83c9ffc3-CompanionStack"},
		"package synthetic name": {"sam-app-template", "sam-app-template-f9eb1dad-CompanionStack"},
		"dots and underscores":   {"Hello_World-Stack.2", "Hello_World-Stack.2-fc82f880-CompanionStack"},
		"design doc":             {"Hello-World-Stack", "Hello-World-Stack-925976eb-CompanionStack"},
		"128 characters":         {strings.Repeat("A", 128), strings.Repeat("A", 104) + "-af35b0d3-CompanionStack"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got := StackName(tc.parent)
			if got != tc.want {
				t.Errorf("StackName(%q) = %q, want %q", tc.parent, got, tc.want)
			}
			if len(got) > 128 {
				t.Errorf("StackName(%q) has %d characters, more than CloudFormation's 128", tc.parent, len(got))
			}
		})
	}
}

func TestNewRepo(t *testing.T) {
	tests := map[string]struct {
		parent, path string
		want         Repo
	}{
		"root function": {"sam-app", "HelloWorldFunction", Repo{
			LogicalID: "HelloWorldFunction19d43fc4Repo", OutputID: "HelloWorldFunction19d43fc4Out",
			Name: "samapp7427b055/helloworldfunction19d43fc4repo"}},
		"sam vector": {"Parent-Stack", "FunctionA", Repo{
			LogicalID: "FunctionAd91d818aRepo", OutputID: "FunctionAd91d818aOut",
			Name: "parentstack8ab67daa/functionad91d818arepo"}},
		"nested one level": {"Parent-Stack", "Stack/FunctionA", Repo{
			LogicalID: "StackFunctionA4787a0f8Repo", OutputID: "StackFunctionA4787a0f8Out",
			Name: "parentstack8ab67daa/stackfunctiona4787a0f8repo"}},
		"nested two levels": {"sam-app", "ChildStack/GrandChild/ImageFunction", Repo{
			LogicalID: "ChildStackGrandChildImageFunctiond2a1db43Repo", OutputID: "ChildStackGrandChildImageFunctiond2a1db43Out",
			Name: "samapp7427b055/childstackgrandchildimagefunctiond2a1db43repo"}},
		"child": {"sam-app", "Child/ImageFn", Repo{
			LogicalID: "ChildImageFnfdc1f518Repo", OutputID: "ChildImageFnfdc1f518Out",
			Name: "samapp7427b055/childimagefnfdc1f518repo"}},
		"observed peer": {"peer-app", "HelloFunction", Repo{
			LogicalID: "HelloFunction65dbf3a1Repo", OutputID: "HelloFunction65dbf3a1Out",
			Name: "peerapp8cc3d84a/hellofunction65dbf3a1repo"}},
		"non-alphanumerics in id": {"my-stack", "Hello_World-Fn", Repo{
			LogicalID: "Hello_World-Fnbbe78758Repo", OutputID: "Hello_World-Fnbbe78758Out",
			Name: "mystack5f9d0add/helloworldfnbbe78758repo"}},
		"design doc": {"Hello-World-Stack", "TestFunction01", Repo{
			LogicalID: "TestFunction0150919004Repo", OutputID: "TestFunction0150919004Out",
			Name: "helloworldstack925976eb/testfunction0150919004repo"}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			tc.want.FullPath = tc.path
			if got := NewRepo(tc.parent, tc.path); got != tc.want {
				t.Errorf("NewRepo(%q, %q) = %+v, want %+v", tc.parent, tc.path, got, tc.want)
			}
		})
	}
}

func TestNewRepoLongNames(t *testing.T) {
	long := strings.Repeat("F", 64)
	r := NewRepo("p", long)
	if !strings.HasPrefix(r.LogicalID, strings.Repeat("F", 52)) || len(r.LogicalID) != 64 {
		t.Errorf("NewRepo(64 F).LogicalID = %q, want 52 F + 8 hex + Repo (64 chars)", r.LogicalID)
	}
	if len(r.OutputID) != 63 {
		t.Errorf("NewRepo(64 F).OutputID has %d chars, want 63", len(r.OutputID))
	}
	// The function part of the physical name is never truncated.
	if !strings.Contains(r.Name, "/"+strings.Repeat("f", 64)) {
		t.Errorf("NewRepo(64 F).Name = %q, want the full escaped id", r.Name)
	}
	parent := strings.Repeat("s", 128)
	if got := NewRepo(parent, "Fn").Name; !strings.HasPrefix(got, parent+checksum(parent)[:8]+"/") {
		t.Errorf("NewRepo(128 s).Name = %q, want the full escaped parent", got)
	}
}

func TestNewRepoCaseOnlyDifference(t *testing.T) {
	a, b := NewRepo("app", "Hello"), NewRepo("app", "HELLO")
	if a.LogicalID == b.LogicalID || a.Name == b.Name {
		t.Errorf("NewRepo of Hello and HELLO collide: %+v and %+v", a, b)
	}
}

func TestURI(t *testing.T) {
	tests := map[string]struct{ region, want string }{
		"commercial": {"us-east-1", "123456789012.dkr.ecr.us-east-1.amazonaws.com/samapp7427b055/helloworldfunction19d43fc4repo"},
		"china":      {"cn-north-1", "123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/samapp7427b055/helloworldfunction19d43fc4repo"},
		"sam vector": {"us-west-2", "123456789012.dkr.ecr.us-west-2.amazonaws.com/samapp7427b055/helloworldfunction19d43fc4repo"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := URI("123456789012", tc.region, "samapp7427b055/helloworldfunction19d43fc4repo"); got != tc.want {
				t.Errorf("URI(%q) = %q, want %q", tc.region, got, tc.want)
			}
		})
	}
}
